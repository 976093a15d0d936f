package dev.sentrygrpc.armeria;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.TimeoutException;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.common.grpc.protocol.ArmeriaStatusException;
import com.linecorp.armeria.common.util.SafeCloseable;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.sentrygrpc.conformance.InvalidOrderException;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What Armeria answers a thrown exception with, as the function tells it to the interceptor. */
class ArmeriaGrpcExceptionStatusTest {
  private static final GrpcExceptionHandlerFunction INVALID =
      (ctx, status, cause, metadata) ->
          cause instanceof InvalidOrderException ? Status.INVALID_ARGUMENT.withCause(cause) : null;

  @Test
  void aPlainExceptionIsNoAnswerSoTheInterceptorKeepsItsOwn() {
    try (SafeCloseable ignored = armeriaContext()) {
      assertThat(ArmeriaGrpcExceptionStatus.of().apply(new IllegalStateException("bug"))).isNull();
      assertThat(ArmeriaGrpcExceptionStatus.of(INVALID).apply(new IllegalStateException("bug")))
          .isNull();
    }
  }

  @Test
  void aStatusInTheChainIsTheAnswerAsArmeriaUnwrapsIt() {
    Status thrown = Status.NOT_FOUND.withDescription("gone");
    assertThat(ArmeriaGrpcExceptionStatus.of().apply(thrown.asRuntimeException()).getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(
            ArmeriaGrpcExceptionStatus.of()
                .apply(new CompletionException(thrown.asException()))
                .getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    Status armeria = ArmeriaGrpcExceptionStatus.of().apply(new ArmeriaStatusException(7, "nope"));
    assertThat(armeria.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(armeria.getDescription()).isEqualTo("nope");
  }

  @Test
  void theHandlerAndThenArmeriasDefaultMapInTheCallsContext() {
    try (SafeCloseable ignored = armeriaContext()) {
      assertThat(
              ArmeriaGrpcExceptionStatus.of(INVALID).apply(new InvalidOrderException("bad")).getCode())
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(
              ArmeriaGrpcExceptionStatus.of(INVALID)
                  .apply(new TimeoutException("slow"))
                  .getCode())
          .as("Armeria's own mapping, after the handler")
          .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }
    assertThat(ArmeriaGrpcExceptionStatus.of(INVALID).apply(new InvalidOrderException("bad")))
        .as("without Armeria's context the handler cannot be asked")
        .isNull();
  }

  @Test
  void aMissingHandlerIsRefused() {
    assertThatThrownBy(() -> ArmeriaGrpcExceptionStatus.of(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static SafeCloseable armeriaContext() {
    return ServiceRequestContext.of(HttpRequest.of(HttpMethod.POST, "/conformance.Orders/Place"))
        .push();
  }
}
