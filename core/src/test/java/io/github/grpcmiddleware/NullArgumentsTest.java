package io.github.grpcmiddleware;

import io.github.grpcmiddleware.auth.Auth;
import io.github.grpcmiddleware.chain.ServerChain;
import io.github.grpcmiddleware.errors.ErrorMapping;
import io.github.grpcmiddleware.errors.ServiceException;
import io.github.grpcmiddleware.limits.Limits;
import io.github.grpcmiddleware.logging.AccessLog;
import io.github.grpcmiddleware.metrics.GrpcMetrics;
import io.github.grpcmiddleware.selector.MethodSelector;
import io.github.grpcmiddleware.testing.nulls.PublicApiNullChecks;
import io.github.grpcmiddleware.trace.TraceIds;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Every public method of core's API packages rejects a null argument, naming the parameter. */
class NullArgumentsTest {

  @Test
  void everyPublicMethodRejectsNullNamingTheParameter() {
    // One class per package stands for the whole package.
    PublicApiNullChecks.forPackagesOf(
            Auth.class, // auth
            ErrorMapping.class, // errors
            AccessLog.class, // logging
            Limits.class, // limits
            GrpcMetrics.class, // metrics
            MethodSelector.class, // selector
            ServerChain.class, // chain
            TraceIds.class) // trace
        .setDefault(MeterRegistry.class, new SimpleMeterRegistry())
        .setDefault(ServerBuilder.class, InProcessServerBuilder.forName("null-checks"))
        // Its factory rejects the tester's default code (OK) and key ("").
        .instance(ServiceException.builder(Status.Code.NOT_FOUND, "test.notFound"))
        .check();
  }
}
