package dev.sentrygrpc.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentrygrpc.conformance.OrderRequest;
import dev.sentrygrpc.conformance.OrdersGrpc;
import dev.sentrygrpc.quarkus.deployment.threads.Job;
import dev.sentrygrpc.quarkus.deployment.threads.MutinyLaterGrpc;
import dev.sentrygrpc.quarkus.deployment.threads.ThreadsGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.QuarkusUnitTest;
import io.sentry.Sentry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The extension in an application whose Sentry is not set up (quarkus-logging-sentry is off
 * unless enabled): it starts, and every call passes straight through, whatever thread it runs on.
 */
class SentryOffTest {

  @RegisterExtension
  static final QuarkusUnitTest APPLICATION =
      new QuarkusUnitTest()
          .withApplicationRoot(
              jar ->
                  jar.addClasses(
                          Work.class,
                          QuarkusOrders.class,
                          QuarkusStorefront.class,
                          ThreadsService.class,
                          LaterService.class)
                      .addPackage(Job.class.getPackage()))
          .overrideConfigKey("quarkus.index-dependency.kit.group-id", "dev.sentrygrpc")
          .overrideConfigKey(
              "quarkus.index-dependency.kit.artifact-id", "sentry-grpc-framework-tests")
          .overrideConfigKey("quarkus.grpc.server.test-port", "0")
          .overrideConfigKey("quarkus.http.test-port", "0")
          .overrideConfigKey("quarkus.grpc.clients.self.host", "localhost");

  @GrpcClient("self")
  Channel self;

  @GrpcClient("self")
  ThreadsGrpc.ThreadsBlockingStub threads;

  @GrpcClient("self")
  MutinyLaterGrpc.MutinyLaterStub later;

  @Test
  void everyCallWorksWithoutSentry() {
    assertThat(Sentry.isEnabled()).isFalse();
    Job job = Job.newBuilder().setTag("off").build();

    assertThat(threads.onEventLoop(job).getThread()).contains("eventloop");
    assertThat(threads.onWorker(job).getThread()).startsWith("executor-thread");
    assertThat(later.reply(job).await().atMost(Duration.ofSeconds(30)).getThread())
        .isEqualTo(LaterService.THREAD);
    assertThat(
            OrdersGrpc.newBlockingStub(self)
                .place(OrderRequest.newBuilder().setItem("off").setTag("off").build())
                .getMessage())
        .isEqualTo("placed off");
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> threads.onWorker(job.toBuilder().setOutcome("fail").build()));
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
  }
}
