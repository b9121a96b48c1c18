package io.github.grpcmiddleware.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.List;

/** Interceptors that only note their name when a call passes, to check ordering. */
final class OrderInterceptors {
  private OrderInterceptors() {}

  static ServerInterceptor server(String name, List<String> order) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        order.add(name);
        return next.startCall(call, headers);
      }
    };
  }

  static ClientInterceptor client(String name, List<String> order) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        order.add(name);
        return next.newCall(method, callOptions);
      }
    };
  }
}
