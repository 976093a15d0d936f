package dev.sentrygrpc;

/**
 * What this library needs from the application's class path, checked once when the first
 * interceptor is built.
 *
 * <p>sentry-grpc declares grpc-java and the Sentry SDK as {@code provided}: it never brings either,
 * so the versions the application chose are the ones that run (Maven would otherwise let ours win
 * by declaration order, and mixed versions crash at start-up). The price is that an application
 * without the SDK, or with one older than the floor, would only fail deep inside its first call
 * with a {@code NoClassDefFoundError}. This class turns that into a sentence at start-up. It uses
 * JDK classes only, so it can run when the SDK is missing.
 */
final class Requirements {
  /** The oldest io.sentry:sentry this library works with: 8.22.0 added W3CTraceparentHeader. */
  static final String SENTRY_FLOOR = "8.22.0";

  private static volatile boolean met;

  private Requirements() {}

  /**
   * Throws {@link IllegalStateException} with what to add when the Sentry SDK is missing or too
   * old; returns quietly (and from then on at once) when it is there.
   */
  static void check() {
    if (met) {
      return;
    }
    String problem = sentryProblem(Requirements.class.getClassLoader());
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
    met = true;
  }

  /** Why the SDK seen by this class loader will not do, or null when it will. */
  static String sentryProblem(ClassLoader loader) {
    String version;
    try {
      Class<?> buildConfig = Class.forName("io.sentry.BuildConfig", false, loader);
      version = String.valueOf(buildConfig.getField("VERSION_NAME").get(null));
    } catch (ClassNotFoundException | LinkageError e) {
      return "sentry-grpc needs the Sentry Java SDK (io.sentry:sentry "
          + SENTRY_FLOOR
          + " or newer) and found none on the class path. Add io.sentry:sentry, or the Sentry"
          + " integration you use (sentry-spring-boot-*, sentry-logback, ...), to your"
          + " dependencies: sentry-grpc does not bring the SDK itself, so that your version is"
          + " the one that runs.";
    } catch (ReflectiveOperationException | RuntimeException e) {
      // An SDK that does not say its version: let it be tried rather than refused.
      return null;
    }
    if (isOlder(version, SENTRY_FLOOR)) {
      return "sentry-grpc needs io.sentry:sentry "
          + SENTRY_FLOOR
          + " or newer, and the class path has "
          + version
          + ". Upgrade io.sentry:sentry (and every other io.sentry artifact with it: the SDK"
          + " refuses mixed versions).";
    }
    return null;
  }

  /**
   * Compares dotted versions by their leading numbers ({@code 8.9.1} is older than {@code
   * 8.22.0}; a suffix such as {@code -beta.1} is ignored). A version that does not start with a
   * number is never called older.
   */
  static boolean isOlder(String version, String floor) {
    String[] parts = version.split("[.-]");
    String[] floorParts = floor.split("\\.");
    for (int i = 0; i < floorParts.length; i++) {
      int wanted = Integer.parseInt(floorParts[i]);
      int have = i < parts.length ? leadingNumber(parts[i]) : 0;
      if (have < 0) {
        return false;
      }
      if (have != wanted) {
        return have < wanted;
      }
    }
    return false;
  }

  private static int leadingNumber(String part) {
    int end = 0;
    while (end < part.length() && end < 9 && Character.isDigit(part.charAt(end))) {
      end++;
    }
    return end == 0 ? -1 : Integer.parseInt(part.substring(0, end));
  }
}
