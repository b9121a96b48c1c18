package io.github.grpcmiddleware.examples;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Opens the example module's package-private services to the reliability suite (same package on the
 * test class path), so the suite drives exactly the services the examples ship.
 */
public final class ExampleServices {
  private ExampleServices() {}

  /** The public Greeter. */
  public static BindableService greeter() {
    return new GreeterService();
  }

  /** The UserService: users 1-3, id 500 and chat text {@code panic} stand for bugs. */
  public static BindableService userService() {
    return new UserServiceImpl();
  }

  /**
   * The example server's own chain, exactly as {@code ExampleServer} installs it (core tracing,
   * metrics into a throwaway registry).
   */
  public static ServerInterceptor exampleChain(String token) {
    return ExampleServer.chain(token, new SimpleMeterRegistry(), null);
  }
}
