package dev.sentrygrpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads the rich error details of a call's final status for the lifecycles: the server's from the
 * trailers it closes with, the client's from the trailers it receives (CONVENTIONS.md section 7).
 *
 * <p>protobuf-java and the common protos are optional: this class never names a protobuf type,
 * so it loads, verifies and runs without them. Only {@link ErrorDetailsParser} does, and it is
 * touched only once {@link #available()} found them loadable (and working, by a self-test).
 *
 * <p>Zero work for calls that end OK or carry no details: the status and then {@link
 * Metadata#containsKey} (which neither allocates nor decodes) come first. Whatever the trailer
 * holds, reading it never throws: a malformed or oversized one gives no details and a DEBUG log.
 */
final class ErrorDetailsReader {
  static final Metadata.Key<byte[]> KEY =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  /**
   * Larger trailers are not parsed. Netty refuses metadata over 8 KiB by default, so only an
   * in-process call or a transport configured for more can bring one; a DebugInfo stack trace
   * fits in a few KiB.
   */
  static final int MAX_BYTES = 64 * 1024;

  // The parts that may carry personal data or internals (CONVENTIONS.md sections 4 and 7): sent
  // with sendDefaultPii, or when listed in SentryGrpcOptions.capturedErrorDetails.
  static final String ERROR_INFO_METADATA = "ErrorInfo.metadata";
  static final String LOCALIZED_MESSAGE = "LocalizedMessage";
  static final String DEBUG_INFO = "DebugInfo";
  static final String REQUEST_INFO = "RequestInfo";
  static final String RESOURCE_OWNER = "ResourceInfo.owner";

  /** The names {@link SentryGrpcOptions.Builder#capturedErrorDetails} accepts, in mask order. */
  static final List<String> PROTECTED_PARTS =
      Collections.unmodifiableList(
          Arrays.asList(
              ERROR_INFO_METADATA, LOCALIZED_MESSAGE, DEBUG_INFO, REQUEST_INFO, RESOURCE_OWNER));

  /** Bit {@code 1 << i} allows {@code PROTECTED_PARTS.get(i)}. */
  static final int ALLOW_ERROR_INFO_METADATA = 1;
  static final int ALLOW_LOCALIZED_MESSAGE = 1 << 1;
  static final int ALLOW_DEBUG_INFO = 1 << 2;
  static final int ALLOW_REQUEST_INFO = 1 << 3;
  static final int ALLOW_RESOURCE_OWNER = 1 << 4;
  /**
   * A {@code clientip:} quota subject is the caller's address: like the peer address, only with
   * sendDefaultPii, never by listing.
   */
  static final int ALLOW_CLIENT_IP = 1 << 5;

  static final int ALLOW_ALL = (1 << 6) - 1;

  private static final AtomicBoolean TOLD_UNAVAILABLE = new AtomicBoolean();

  private ErrorDetailsReader() {}

  /**
   * The details of a call that ended with {@code status} and {@code trailers}, or null: for OK, for
   * no details trailer, without protobuf on the class path, or when the trailer cannot be read.
   */
  static ErrorDetails read(
      Status status,
      Metadata trailers,
      SentryGrpcOptions options,
      SentryOptions sentry,
      String method) {
    if (status.isOk() || trailers == null || !trailers.containsKey(KEY)) {
      return null;
    }
    try {
      if (!available()) {
        if (TOLD_UNAVAILABLE.compareAndSet(false, true)) {
          log(
              sentry,
              null,
              "%s failed with error details (grpc-status-details-bin), which need protobuf-java and"
                  + " com.google.api.grpc:proto-google-common-protos (both come with"
                  + " io.grpc:grpc-protobuf) on the class path; without them they are not read",
              method);
        }
        return null;
      }
      byte[] bytes = trailers.get(KEY);
      if (bytes == null || bytes.length == 0) {
        return null;
      }
      if (bytes.length > MAX_BYTES) {
        log(sentry, null, "Error details of %s not read: %d bytes", method, bytes.length);
        return null;
      }
      return ErrorDetailsParser.parse(bytes, allowed(options, sentry));
    } catch (Throwable t) {
      log(sentry, t, "Could not read the error details (grpc-status-details-bin) of %s", method);
      return null;
    }
  }

  /**
   * The details of an exception the server's application threw, when something outside the
   * interceptor answers the call with the exception's own status and trailers, as Spring gRPC's
   * exception handling, grpc-kotlin and grpc-java's {@code TransmitStatusRuntimeExceptionInterceptor}
   * do ({@code Status.trailersFromThrowable}). grpc-java alone answers a thrown exception with
   * {@code UNKNOWN} and no trailers, so the caller decides when this applies.
   */
  static ErrorDetails readThrown(
      Status status,
      Throwable thrown,
      SentryGrpcOptions options,
      SentryOptions sentry,
      String method) {
    if (status.isOk()) {
      return null;
    }
    try {
      Metadata trailers = Status.trailersFromThrowable(thrown);
      if (trailers == null || Status.fromThrowable(thrown).getCode() != status.getCode()) {
        // No status in the exception, or the call ends with another one: not these trailers.
        return null;
      }
      return read(status, trailers, options, sentry, method);
    } catch (Throwable t) {
      log(sentry, t, "Could not read the error details of an exception of %s", method);
      return null;
    }
  }

  /** Whether protobuf and the common protos are there and work; found out once. */
  static boolean available() {
    return Detection.AVAILABLE;
  }

  /** Which protected parts may be sent for these settings, as a mask of {@code ALLOW_*} bits. */
  static int allowed(SentryGrpcOptions options, SentryOptions sentry) {
    if (sentry.isSendDefaultPii()) {
      return ALLOW_ALL;
    }
    Set<String> listed = options.capturedErrorDetails();
    if (listed.isEmpty()) {
      return 0;
    }
    int mask = 0;
    for (int i = 0; i < PROTECTED_PARTS.size(); i++) {
      if (listed.contains(PROTECTED_PARTS.get(i))) {
        mask |= 1 << i;
      }
    }
    return mask;
  }

  /** The canonical spelling of a protected part's name, or null for a name that is none. */
  static String protectedPart(String name) {
    for (String part : PROTECTED_PARTS) {
      if (part.equalsIgnoreCase(name)) {
        return part;
      }
    }
    return null;
  }

  private static void log(SentryOptions sentry, Throwable t, String message, Object... args) {
    try {
      if (t == null) {
        sentry.getLogger().log(SentryLevel.DEBUG, "sentry-grpc: " + message, args);
      } else {
        sentry.getLogger().log(SentryLevel.DEBUG, t, "sentry-grpc: " + message, args);
      }
    } catch (Throwable ignored) {
      // Logging must not fail the call either.
    }
  }

  /** Initialised on first use: the first failed call that carries details. */
  private static final class Detection {
    static final boolean AVAILABLE = detect(ErrorDetailsReader.class.getClassLoader());

    private Detection() {}
  }

  /**
   * Loads and initialises the protobuf classes the parser needs, then lets the parser read a
   * known {@code google.rpc.Status}: a missing jar, a {@code protobuf-javalite} without {@code
   * protobuf-java}, or a version without a method we call all end here as false, never as a
   * {@code NoClassDefFoundError} in a call.
   */
  static boolean detect(ClassLoader loader) {
    try {
      Class.forName("com.google.protobuf.Any", true, loader);
      Class.forName("com.google.rpc.Status", true, loader);
      Class.forName("com.google.rpc.ErrorInfo", true, loader);
    } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
      return false;
    }
    try {
      return ErrorDetailsParser.selfTest();
    } catch (Throwable t) {
      return false;
    }
  }
}
