package dev.sentrygrpc.demo;

import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;

/**
 * What one scripted storefront step did, as the storefront saw it.
 *
 * @param label what the step was, e.g. {@code checkout order-3}
 * @param story why it ends as it does, e.g. {@code card processor bug}; empty for a plain success
 * @param kind the call kind of the storefront's call
 * @param method the full method the storefront called
 * @param transaction the name of the storefront's transaction around the call
 * @param code the status the storefront got
 * @param detail the status description, or a short summary of the reply
 * @param traceId the trace the step started (32 hex characters)
 * @param sampled whether the trace was sampled, so whether transactions are expected for it
 * @param expectedErrors how many error events the step should cause (the payment bug: one)
 */
record StepResult(
    String label,
    String story,
    MethodType kind,
    String method,
    String transaction,
    Status.Code code,
    String detail,
    String traceId,
    boolean sampled,
    long millis,
    int expectedErrors) {}
