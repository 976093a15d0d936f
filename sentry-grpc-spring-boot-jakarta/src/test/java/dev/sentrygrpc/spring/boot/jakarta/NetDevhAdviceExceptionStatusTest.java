package dev.sentrygrpc.spring.boot.jakarta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.SentryGrpcOptions;
import dev.sentrygrpc.testservice.EchoReply;
import dev.sentrygrpc.testservice.EchoRequest;
import dev.sentrygrpc.testservice.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.sentry.Sentry;
import io.sentry.spring.boot.jakarta.SentryAutoConfiguration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import net.devh.boot.grpc.server.advice.GrpcAdvice;
import net.devh.boot.grpc.server.advice.GrpcExceptionHandler;
import net.devh.boot.grpc.server.autoconfigure.GrpcAdviceAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import net.devh.boot.grpc.server.error.GrpcExceptionInterceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The status {@link GrpcAdviceExceptionStatus} computes is the one a client of net.devh's own
 * {@code @GrpcAdvice} exception interceptor gets, with the same advice, for every kind of
 * exception and answer.
 */
class NetDevhAdviceExceptionStatusTest {

  /** What the next call throws. */
  private static volatile Supplier<RuntimeException> toThrow;

  static final class ConflictException extends RuntimeException {
    ConflictException() {
      super("conflict");
    }
  }

  /** Its handler fails. */
  static final class PoisonException extends RuntimeException {
    PoisonException() {
      super("poison");
    }
  }

  /** Its handler answers null, which net.devh cannot use. */
  static final class NullAnswerException extends RuntimeException {
    NullAnswerException() {
      super("null answer");
    }
  }

  @AfterEach
  void closeSentry() {
    Sentry.close();
  }

  @Test
  void theStatusIsTheOneTheClientGets() {
    Map<String, Supplier<RuntimeException>> cases = new LinkedHashMap<>();
    cases.put("nothing maps it", () -> new IllegalStateException("boom"));
    cases.put("a handler maps it", () -> new IllegalArgumentException("bad"));
    cases.put("a handler maps its superclass", () -> new NumberFormatException("NaN"));
    cases.put("a handler answers with a status exception", ConflictException::new);
    cases.put("a handler that fails", PoisonException::new);
    cases.put("a handler that answers null", NullAnswerException::new);
    cases.put("a status exception nothing maps", Status.NOT_FOUND::asRuntimeException);
    cases.put("a cause is not unwrapped", () -> new RuntimeException(new IllegalArgumentException()));

    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                SentryAutoConfiguration.class,
                GrpcServerAutoConfiguration.class,
                GrpcAdviceAutoConfiguration.class,
                SentryGrpcAutoConfiguration.class))
        .withPropertyValues("sentry.dsn=http://public@127.0.0.1:9/1", "grpc.server.port=-1")
        .withUserConfiguration(Advice.class)
        .run(
            context -> {
              Function<? super Throwable, Status> exceptionStatus =
                  context.getBean(SentryGrpcOptions.class).exceptionStatus();
              GrpcExceptionInterceptor netDevh = context.getBean(GrpcExceptionInterceptor.class);
              String name = InProcessServerBuilder.generateName();
              Server server =
                  InProcessServerBuilder.forName(name)
                      .directExecutor()
                      .addService(ServerInterceptors.intercept(new Throwing(), netDevh))
                      .build()
                      .start();
              ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
              try {
                for (Map.Entry<String, Supplier<RuntimeException>> c : cases.entrySet()) {
                  toThrow = c.getValue();
                  Code clientSees =
                      catchThrowableOfType(
                              StatusRuntimeException.class,
                              () ->
                                  EchoServiceGrpc.newBlockingStub(channel)
                                      .unary(EchoRequest.getDefaultInstance()))
                          .getStatus()
                          .getCode();
                  assertThat(exceptionStatus.apply(c.getValue().get()).getCode())
                      .as(c.getKey())
                      .isEqualTo(clientSees);
                }
              } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
              }
              // The expected answers, so the comparison above is not vacuous.
              assertThat(exceptionStatus.apply(new NumberFormatException()).getCode())
                  .isEqualTo(Code.INVALID_ARGUMENT);
              assertThat(exceptionStatus.apply(new ConflictException()).getCode())
                  .isEqualTo(Code.ALREADY_EXISTS);
              assertThat(exceptionStatus.apply(Status.NOT_FOUND.asRuntimeException()).getCode())
                  .isEqualTo(Code.INTERNAL);
              assertThat(exceptionStatus.apply(new PoisonException()).getCode())
                  .isEqualTo(Code.INTERNAL);
            });
  }

  static final class Throwing extends EchoServiceGrpc.EchoServiceImplBase {
    @Override
    public void unary(EchoRequest request, StreamObserver<EchoReply> replies) {
      throw toThrow.get();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Advice {
    @Bean
    Handlers handlers() {
      return new Handlers();
    }
  }

  @GrpcAdvice
  public static class Handlers {
    @GrpcExceptionHandler
    public Status illegalArgument(IllegalArgumentException e) {
      return Status.INVALID_ARGUMENT.withCause(e);
    }

    @GrpcExceptionHandler(ConflictException.class)
    public StatusRuntimeException conflict() {
      return Status.ALREADY_EXISTS.asRuntimeException();
    }

    @GrpcExceptionHandler
    public Status poison(PoisonException e) {
      throw new IllegalStateException("the handler failed");
    }

    @GrpcExceptionHandler
    public Status nullAnswer(NullAnswerException e) {
      return null;
    }
  }
}
