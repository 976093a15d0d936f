package dev.sentrygrpc.quarkus.deployment;

import dev.sentrygrpc.quarkus.deployment.threads.Done;
import dev.sentrygrpc.quarkus.deployment.threads.Job;
import dev.sentrygrpc.quarkus.deployment.threads.ThreadsGrpc;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** A grpc-java service with a method on the event loop and a {@code @Blocking} one. */
@GrpcService
public class ThreadsService extends ThreadsGrpc.ThreadsImplBase {

  @Override
  public void onEventLoop(Job job, StreamObserver<Done> replies) {
    work(job, replies);
  }

  @Override
  @Blocking
  public void onWorker(Job job, StreamObserver<Done> replies) {
    work(job, replies);
  }

  private static void work(Job job, StreamObserver<Done> replies) {
    Work.inTheCall(job.getTag());
    if ("fail".equals(job.getOutcome())) {
      throw new IllegalStateException("job failed: " + job.getTag());
    }
    replies.onNext(Done.newBuilder().setThread(Thread.currentThread().getName()).build());
    replies.onCompleted();
  }
}
