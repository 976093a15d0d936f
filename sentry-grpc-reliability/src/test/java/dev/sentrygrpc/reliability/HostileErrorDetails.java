package dev.sentrygrpc.reliability;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.DebugInfo;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Help;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RequestInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What a hostile or broken service can put in {@code grpc-status-details-bin}: random bytes, cut
 * or bit-flipped statuses, details whose values are garbage, hostile type URLs, strings of every
 * kind up to thousands of characters, invalid UTF-8 in string fields, thousands of items, absurd durations, statuses far
 * over any size limit, repeated trailer values. Some cases are well-formed with a known {@code
 * ErrorInfo} reason, so a test can check that usable details still come through.
 */
final class HostileErrorDetails {
  static final Metadata.Key<byte[]> KEY =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  static final List<String> DETAIL_TYPES =
      Arrays.asList(
          "google.rpc.ErrorInfo",
          "google.rpc.BadRequest",
          "google.rpc.RetryInfo",
          "google.rpc.QuotaFailure",
          "google.rpc.PreconditionFailure",
          "google.rpc.ResourceInfo",
          "google.rpc.Help",
          "google.rpc.LocalizedMessage",
          "google.rpc.RequestInfo",
          "google.rpc.DebugInfo");

  private static final Status.Code[] FAILURES = {
    Status.Code.CANCELLED, Status.Code.UNKNOWN, Status.Code.INVALID_ARGUMENT,
    Status.Code.DEADLINE_EXCEEDED, Status.Code.NOT_FOUND, Status.Code.ALREADY_EXISTS,
    Status.Code.PERMISSION_DENIED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.FAILED_PRECONDITION,
    Status.Code.ABORTED, Status.Code.OUT_OF_RANGE, Status.Code.UNIMPLEMENTED,
    Status.Code.INTERNAL, Status.Code.UNAVAILABLE, Status.Code.DATA_LOSS,
    Status.Code.UNAUTHENTICATED,
  };

  /** One generated failure: the status the server closes with and its trailers. */
  static final class Case {
    final Status status;
    final Metadata trailers;
    /** The reason Sentry must show, for a well-formed case; else null (anything bounded goes). */
    final String expectedReason;

    Case(Status status, Metadata trailers, String expectedReason) {
      this.status = status;
      this.trailers = trailers;
      this.expectedReason = expectedReason;
    }
  }

  private HostileErrorDetails() {}

  static Case generate(Random random, String id) {
    Status status =
        Status.fromCode(FAILURES[random.nextInt(FAILURES.length)]).withDescription("hostile " + id);
    Metadata trailers = new Metadata();
    String expected = null;
    switch (random.nextInt(11)) {
      case 0:
        trailers.put(KEY, bytes(random, 1 + random.nextInt(3_000)));
        break;
      case 1:
        trailers.put(KEY, garbageValues(random).toByteArray());
        break;
      case 2:
        trailers.put(KEY, extreme(random, id).toByteArray());
        break;
      case 3:
        {
          byte[] valid = extreme(random, id).toByteArray();
          trailers.put(KEY, Arrays.copyOf(valid, random.nextInt(valid.length)));
          break;
        }
      case 4:
        trailers.put(KEY, hostileTypeUrls(random).toByteArray());
        break;
      case 5:
        {
          // Far over the 64 KiB sentry-grpc reads (the in-process transport carries it).
          com.google.rpc.Status.Builder huge = com.google.rpc.Status.newBuilder().setCode(3);
          DebugInfo.Builder debug = DebugInfo.newBuilder();
          char[] line = new char[1_000];
          Arrays.fill(line, 'x');
          for (int i = 0; i < 200; i++) {
            debug.addStackEntries(i + new String(line));
          }
          huge.addDetails(Any.pack(ErrorInfo.newBuilder().setReason("HUGE").build()));
          huge.addDetails(Any.pack(debug.build()));
          trailers.put(KEY, huge.build().toByteArray());
          break;
        }
      case 6:
        {
          byte[] flipped = extreme(random, id).toByteArray();
          for (int i = 0; i < 1 + random.nextInt(8) && flipped.length > 0; i++) {
            flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
          }
          trailers.put(KEY, flipped);
          break;
        }
      case 7:
        trailers.put(KEY, new byte[0]);
        break;
      case 8:
        // Repeated values: grpc-java's readers take the last one.
        trailers.put(KEY, bytes(random, 50));
        expected = "REASON_" + id;
        trailers.put(KEY, wellFormed(random, expected).toByteArray());
        break;
      default:
        expected = "REASON_" + id;
        trailers.put(KEY, wellFormed(random, expected).toByteArray());
    }
    return new Case(status, trailers, expected);
  }

  /** Known detail types whose values are random bytes. */
  private static com.google.rpc.Status garbageValues(Random random) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(random.nextInt(17));
    int details = 1 + random.nextInt(40);
    for (int i = 0; i < details; i++) {
      status.addDetails(
          Any.newBuilder()
              .setTypeUrl("type.googleapis.com/" + DETAIL_TYPES.get(random.nextInt(DETAIL_TYPES.size())))
              .setValue(ByteString.copyFrom(bytes(random, random.nextInt(200)))));
    }
    return status.build();
  }

  private static com.google.rpc.Status hostileTypeUrls(Random random) {
    String[] urls = {
      "",
      "/",
      "google.rpc.ErrorInfo",
      "type.googleapis.com/",
      "type.googleapis.com/google.rpc.ErrorInfo/",
      "////google.rpc.ErrorInfo",
      text(random, 10_000),
      "type.googleapis.com/" + text(random, 300),
      "\u0000\u0001google.rpc.ErrorInfo",
    };
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(9);
    for (String url : urls) {
      status.addDetails(
          Any.newBuilder()
              .setTypeUrl(url)
              .setValue(ErrorInfo.newBuilder().setReason(text(random, 20)).build().toByteString()));
    }
    return status.build();
  }

  /** Every type, valid protobuf, with contents at and far past every limit. */
  private static com.google.rpc.Status extreme(Random random, String id) {
    // Few items with long strings, or many with short ones: some of each under 64 KiB.
    boolean many = random.nextBoolean();
    int items = many ? 100 + random.nextInt(300) : random.nextInt(5);
    int length = many ? random.nextInt(20) : 300 + random.nextInt(1_500);
    ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(text(random, length)).setDomain(text(random, length));
    BadRequest.Builder badRequest = BadRequest.newBuilder();
    QuotaFailure.Builder quota = QuotaFailure.newBuilder();
    PreconditionFailure.Builder precondition = PreconditionFailure.newBuilder();
    Help.Builder help = Help.newBuilder();
    DebugInfo.Builder debug = DebugInfo.newBuilder().setDetail(text(random, length));
    for (int i = 0; i < items; i++) {
      info.putMetadata(text(random, 1 + random.nextInt(40)), text(random, random.nextInt(length + 1)));
      badRequest.addFieldViolations(
          BadRequest.FieldViolation.newBuilder().setField(text(random, length)).setDescription(text(random, length)));
      quota.addViolations(
          QuotaFailure.Violation.newBuilder()
              .setSubject((random.nextBoolean() ? "clientip:" : "") + text(random, length)));
      precondition.addViolations(
          PreconditionFailure.Violation.newBuilder().setType(text(random, 10)).setSubject(text(random, length)));
      help.addLinks(Help.Link.newBuilder().setUrl(text(random, length)));
      debug.addStackEntries(text(random, length));
    }
    long seconds = random.nextBoolean() ? random.nextLong() : random.nextInt(100);
    return com.google.rpc.Status.newBuilder()
        .setCode(random.nextInt(17))
        .setMessage(text(random, length))
        .addDetails(Any.pack(info.build()))
        .addDetails(Any.pack(badRequest.build()))
        .addDetails(
            Any.pack(
                RetryInfo.newBuilder()
                    .setRetryDelay(Duration.newBuilder().setSeconds(seconds).setNanos(random.nextInt()))
                    .build()))
        .addDetails(Any.pack(quota.build()))
        .addDetails(Any.pack(precondition.build()))
        .addDetails(
            Any.pack(
                ResourceInfo.newBuilder()
                    .setResourceType(text(random, length))
                    .setResourceName(text(random, length))
                    .setOwner(text(random, length))
                    .build()))
        .addDetails(Any.pack(help.build()))
        .addDetails(Any.pack(LocalizedMessage.newBuilder().setLocale(id).setMessage(text(random, length)).build()))
        .addDetails(Any.pack(RequestInfo.newBuilder().setRequestId(id).setServingData(text(random, length)).build()))
        .addDetails(Any.pack(debug.build()))
        .build();
  }

  /** What a well-behaved service sends, in a random order, with a known reason. */
  private static com.google.rpc.Status wellFormed(Random random, String reason) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(9)
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason(reason)
                        .setDomain("hostile.example")
                        .putMetadata("k", text(random, 20))
                        .build()));
    if (random.nextBoolean()) {
      status.addDetails(
          Any.pack(
              BadRequest.newBuilder()
                  .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("a.b"))
                  .build()));
    }
    if (random.nextBoolean()) {
      status.addDetails(
          Any.pack(
              RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder().setSeconds(1)).build()));
    }
    if (random.nextBoolean()) {
      status.addDetails(
          Any.newBuilder().setTypeUrl("type.googleapis.com/hostile.Unknown").setValue(ByteString.copyFrom(bytes(random, 30))));
    }
    return status.build();
  }

  static byte[] bytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /**
   * Printable ASCII mostly, with control characters, non-ASCII and emoji. No lone surrogates:
   * protobuf would write them as '?' (and log a warning with a stack trace for each); invalid
   * UTF-8 reaches the parser through the cases with random bytes instead.
   */
  static String text(Random random, int length) {
    StringBuilder text = new StringBuilder(length + 1);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(30);
      if (kind == 0) {
        text.append((char) random.nextInt(0x20));
      } else if (kind == 1) {
        text.append((char) (0x80 + random.nextInt(0x3000)));
      } else if (kind == 2) {
        text.append("\ud83d\ude00");
      } else {
        text.append((char) (0x20 + random.nextInt(0x5f)));
      }
    }
    return text.toString();
  }
}
