package dev.sentrygrpc.testing;

/** A request the receiver refuses, with the status and the reason to send back. */
final class BadRequestException extends Exception {

  private final int status;

  BadRequestException(int status, String detail) {
    super(detail);
    this.status = status;
  }

  int status() {
    return status;
  }
}
