package dev.sentrygrpc.quarkus.deployment;

import dev.sentrygrpc.quarkus.deployment.threads.Done;
import dev.sentrygrpc.quarkus.deployment.threads.Job;
import dev.sentrygrpc.quarkus.deployment.threads.MutinyLaterGrpc;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A Mutiny service whose reply is emitted from a thread of its own, so Quarkus sends the message
 * and closes the call from there.
 */
@GrpcService
public class LaterService extends MutinyLaterGrpc.LaterImplBase {
  static final String THREAD = "quarkus-test-later";

  private static final ScheduledExecutorService LATER =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, THREAD);
            thread.setDaemon(true);
            return thread;
          });

  @Override
  public Uni<Done> reply(Job job) {
    Work.inTheCall(job.getTag());
    return Uni.createFrom()
        .emitter(
            emitter ->
                LATER.schedule(
                    () -> {
                      if ("fail".equals(job.getOutcome())) {
                        emitter.fail(new IllegalStateException("later failed: " + job.getTag()));
                      } else {
                        emitter.complete(
                            Done.newBuilder().setThread(Thread.currentThread().getName()).build());
                      }
                    },
                    20,
                    TimeUnit.MILLISECONDS));
  }
}
