package io.github.grpcmiddleware.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class loader standing for a redeployable application's (a web application in a servlet
 * container): it defines the given test classes (and their nested classes) itself, from the test
 * classes' bytes, and leaves everything else (the library, grpc-java) to its parent. An object made
 * from such a class is application code calling into the library; if nothing the library keeps
 * refers to the loader, the loader can be collected once the test lets go of it.
 */
public final class ApplicationLoader extends ClassLoader {
  private final List<String> own;

  /**
   * @param classes the classes this loader defines anew; each must be public with a public no-arg
   *     constructor, since the test reaches it from another runtime package
   */
  public ApplicationLoader(Class<?>... classes) {
    super(ApplicationLoader.class.getClassLoader());
    this.own = Arrays.stream(classes).map(Class::getName).toList();
  }

  /** Returns a new instance of {@code type} as this loader defines it, seen as {@code as}. */
  public <T> T newInstance(Class<?> type, Class<T> as) {
    try {
      return as.cast(loadClass(type.getName()).getConstructor().newInstance());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Runs the garbage collector until {@code loader} is collected, for at most 10 seconds.
   *
   * @return whether it was collected
   */
  public static boolean awaitCollected(WeakReference<ClassLoader> loader)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (loader.get() != null && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    return loader.get() == null;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (!isOwn(name)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        byte[] bytes = bytesOf(name);
        loaded = defineClass(name, bytes, 0, bytes.length);
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  private boolean isOwn(String name) {
    for (String owned : own) {
      if (name.equals(owned) || name.startsWith(owned + "$")) {
        return true;
      }
    }
    return false;
  }

  private static byte[] bytesOf(String name) throws ClassNotFoundException {
    String resource = name.replace('.', '/') + ".class";
    try (InputStream in = ApplicationLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new ClassNotFoundException(name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
