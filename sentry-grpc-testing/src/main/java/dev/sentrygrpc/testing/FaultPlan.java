package dev.sentrygrpc.testing;

import java.time.Duration;

/**
 * What the receiver does with the next request: an immutable snapshot, so a request that is
 * already being served is not affected half-way by a switch of fault mode.
 */
final class FaultPlan {

  enum Answer {
    /** Accept and decode the envelope, answer 200. */
    NORMALLY,
    /** Answer with {@link #status()} and {@link #headerName()}, keep nothing. */
    WITH_STATUS,
    /** Read the request, then close the connection without a response. */
    DROP_CONNECTION,
    /** Not listening at all: connections are refused by the operating system. */
    REFUSE_CONNECTION
  }

  static final FaultPlan HEALTHY = new FaultPlan(Answer.NORMALLY, 200, null, null, Duration.ZERO);

  private final Answer answer;
  private final int status;
  private final String headerName;
  private final String headerValue;
  private final Duration stall;

  private FaultPlan(
      Answer answer, int status, String headerName, String headerValue, Duration stall) {
    this.answer = answer;
    this.status = status;
    this.headerName = headerName;
    this.headerValue = headerValue;
    this.stall = stall;
  }

  static FaultPlan status(int status, String headerName, String headerValue) {
    return new FaultPlan(Answer.WITH_STATUS, status, headerName, headerValue, Duration.ZERO);
  }

  static FaultPlan of(Answer answer) {
    return new FaultPlan(answer, 0, null, null, Duration.ZERO);
  }

  /** The same answer, stalled; a stall combines with any answer. */
  FaultPlan withStall(Duration stall) {
    return new FaultPlan(answer, status, headerName, headerValue, stall);
  }

  /** Another answer, keeping the stall. */
  FaultPlan withAnswerOf(FaultPlan other) {
    return new FaultPlan(other.answer, other.status, other.headerName, other.headerValue, stall);
  }

  Answer answer() {
    return answer;
  }

  int status() {
    return status;
  }

  String headerName() {
    return headerName;
  }

  String headerValue() {
    return headerValue;
  }

  Duration stall() {
    return stall;
  }

  boolean isHealthy() {
    return answer == Answer.NORMALLY && stall.isZero();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    switch (answer) {
      case NORMALLY:
        text.append("healthy");
        break;
      case WITH_STATUS:
        text.append("answer ").append(status);
        if (headerName != null) {
          text.append(" with ").append(headerName).append(": ").append(headerValue);
        }
        break;
      case DROP_CONNECTION:
        text.append("drop connections");
        break;
      default:
        text.append("refuse connections");
        break;
    }
    if (!stall.isZero()) {
      text.append(", stall ").append(stall.toMillis()).append(" ms");
    }
    return text.toString();
  }
}
