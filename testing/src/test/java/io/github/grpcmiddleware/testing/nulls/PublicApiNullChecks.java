package io.github.grpcmiddleware.testing.nulls;

import com.google.common.reflect.ClassPath;
import com.google.common.testing.ArbitraryInstances;
import com.google.common.testing.NullPointerTester;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks that every public constructor, static method and instance method of the public types of
 * some packages rejects a null argument at once with a {@link NullPointerException} whose message
 * is the parameter's name (what {@code Objects.requireNonNull(x, "x")} throws).
 *
 * <p>Guava's {@link NullPointerTester} checks that the exception is an NPE; this class adds the
 * check of the message (the main code is compiled with {@code -parameters}, so the names are in the
 * class files). Parameters annotated {@code @Nullable} (any annotation of that simple name, as the
 * tester reads them) are skipped. Methods that implement a type from outside the project (such as
 * {@code ServerInterceptor.interceptCall} or JUnit's callbacks) are grpc-java's or JUnit's
 * contract, not ours, and are not checked; nor are the methods of interfaces and abstract classes
 * (users implement those).
 *
 * <p>Instances for the instance methods are found by calling the packages' own public static
 * factories (and {@code build()} on what they return) with default arguments; a type that cannot be
 * made that way is reported, and the test passes one with {@link #instance}. Use from a module's
 * test:
 *
 * <pre>{@code
 * PublicApiNullChecks.forPackagesOf(Auth.class, ErrorMapping.class)
 *     .setDefault(MeterRegistry.class, new SimpleMeterRegistry())
 *     .check();
 * }</pre>
 */
public final class PublicApiNullChecks {

  private static final Set<String> NULLABLE_NAMES =
      new HashSet<>(Arrays.asList("CheckForNull", "Nullable", "NullableDecl", "NullableType"));
  private static final String PROJECT_PREFIX = "io.github.grpcmiddleware.";
  private static final int PRODUCER_ROUNDS = 4;

  private final List<Class<?>> anchors;
  private final Set<Class<?>> excluded = new HashSet<>();
  private final Map<Class<?>, Object> defaults = new LinkedHashMap<>();
  private final List<Object> givenInstances = new ArrayList<>();
  private final NullPointerTester tester = new NullPointerTester();

  private PublicApiNullChecks(List<Class<?>> anchors) {
    this.anchors = anchors;
  }

  /**
   * Starts a check of the packages of the given classes (each class stands for its whole package,
   * as far as it is compiled into the same directory or jar as that class).
   */
  public static PublicApiNullChecks forPackagesOf(Class<?>... anchors) {
    if (anchors.length == 0) {
      throw new IllegalArgumentException("anchors: none (expected: at least one class)");
    }
    return new PublicApiNullChecks(Arrays.asList(anchors));
  }

  /** Leaves these types (and the types nested in them) unchecked. */
  public PublicApiNullChecks excluding(Class<?>... types) {
    excluded.addAll(Arrays.asList(types));
    return this;
  }

  /** The value passed for parameters of this type when another parameter is the null one. */
  public <T> PublicApiNullChecks setDefault(Class<T> type, T value) {
    defaults.put(type, value);
    tester.setDefault(type, value);
    return this;
  }

  /** Instances whose instance methods are checked, for types no factory of the packages makes. */
  public PublicApiNullChecks instance(Object... instances) {
    givenInstances.addAll(Arrays.asList(instances));
    return this;
  }

  /** Runs the check; fails with one line per method parameter that does not behave. */
  public void check() {
    List<Class<?>> types = publicTypes();
    List<Class<?>> checked = new ArrayList<>();
    for (Class<?> type : types) {
      if (!isExcluded(type)) {
        checked.add(type);
      }
    }
    Map<Class<?>, Object> instances = findInstances(types, checked);
    List<String> failures = new ArrayList<>();
    int parameters = 0;
    for (Class<?> type : checked) {
      for (Constructor<?> constructor : type.getDeclaredConstructors()) {
        if (isApi(constructor.getModifiers()) && !Modifier.isAbstract(type.getModifiers())) {
          parameters += checkParameters(null, constructor, failures);
        }
      }
      for (Method method : type.getDeclaredMethods()) {
        if (Modifier.isStatic(method.getModifiers())
            && isApi(method.getModifiers())
            && !method.isSynthetic()
            && !isEnumValueOf(type, method)) {
          parameters += checkParameters(null, method, failures);
        }
      }
      List<Method> instanceMethods = instanceMethodsToCheck(type);
      if (instanceMethods.isEmpty()) {
        continue;
      }
      Object instance = instances.get(type);
      if (instance == null) {
        failures.add(
            type.getName()
                + ": no instance to check "
                + names(instanceMethods)
                + " on (pass one to instance(...), or setDefault what its factory needs)");
        continue;
      }
      for (Method method : instanceMethods) {
        parameters += checkParameters(instance, method, failures);
      }
    }
    if (parameters == 0) {
      failures.add("no parameter checked at all in the packages of " + anchors);
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(
          failures.size()
              + " public API parameter(s) accept null or throw an NPE that does not name them:\n  "
              + String.join("\n  ", failures));
    }
  }

  private List<Class<?>> publicTypes() {
    Set<Class<?>> found = new LinkedHashSet<>();
    for (Class<?> anchor : anchors) {
      ClassLoader loader = anchor.getClassLoader();
      URL location = location(anchor);
      ClassPath classPath;
      try {
        classPath = ClassPath.from(loader);
      } catch (IOException e) {
        throw new AssertionError("cannot scan the class path", e);
      }
      List<Class<?>> inPackage = new ArrayList<>();
      for (ClassPath.ClassInfo info : classPath.getTopLevelClasses(anchor.getPackage().getName())) {
        Class<?> type = info.load();
        if (location.equals(location(type))) {
          inPackage.add(type);
        }
      }
      Deque<Class<?>> todo = new ArrayDeque<>(inPackage);
      while (!todo.isEmpty()) {
        Class<?> type = todo.removeFirst();
        if (Modifier.isPublic(type.getModifiers()) && !type.isAnnotation()) {
          found.add(type);
          todo.addAll(Arrays.asList(type.getDeclaredClasses()));
        }
      }
    }
    List<Class<?>> sorted = new ArrayList<>(found);
    sorted.sort(Comparator.comparing(Class::getName));
    return sorted;
  }

  private static URL location(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new AssertionError("no code source for " + type);
    }
    return source.getLocation();
  }

  private boolean isExcluded(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (excluded.contains(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isApi(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static boolean isEnumValueOf(Class<?> type, Method method) {
    return type.isEnum()
        && method.getName().equals("valueOf")
        && Arrays.equals(method.getParameterTypes(), new Class<?>[] {String.class});
  }

  /**
   * The public and protected instance methods of a concrete type, its own and those it inherits
   * from the project's (possibly package-private) superclasses, minus those that implement a
   * foreign type's method.
   */
  private static List<Method> instanceMethodsToCheck(Class<?> type) {
    List<Method> methods = new ArrayList<>();
    if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
      return methods;
    }
    Set<String> seen = new HashSet<>();
    for (Class<?> c = type; c != null && isProject(c); c = c.getSuperclass()) {
      for (Method method : c.getDeclaredMethods()) {
        if (Modifier.isStatic(method.getModifiers())
            || !isApi(method.getModifiers())
            || method.isSynthetic()
            || method.getParameterCount() == 0
            || !seen.add(method.getName() + Arrays.toString(method.getParameterTypes()))
            || implementsForeignMethod(type, method)) {
          continue;
        }
        methods.add(method);
      }
    }
    methods.sort(Comparator.comparing(Method::toGenericString));
    return methods;
  }

  private static boolean isProject(Class<?> type) {
    return type.getName().startsWith(PROJECT_PREFIX);
  }

  private static boolean implementsForeignMethod(Class<?> type, Method method) {
    Deque<Class<?>> todo = new ArrayDeque<>();
    todo.add(type);
    Set<Class<?>> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Class<?> c = todo.removeFirst();
      if (!seen.add(c)) {
        continue;
      }
      if (!isProject(c)) {
        for (Method declared : c.getDeclaredMethods()) {
          if (declared.getName().equals(method.getName())
              && Arrays.equals(declared.getParameterTypes(), method.getParameterTypes())) {
            return true;
          }
        }
      }
      if (c.getSuperclass() != null) {
        todo.add(c.getSuperclass());
      }
      todo.addAll(Arrays.asList(c.getInterfaces()));
    }
    return false;
  }

  /**
   * Makes an instance of every checked type with instance methods: from {@link #instance}, else
   * from a public static factory of the packages (excluded types included) whose arguments have
   * defaults, else from {@code build()} on an instance already made.
   */
  private Map<Class<?>, Object> findInstances(List<Class<?>> types, List<Class<?>> checked) {
    // Every concrete type: those with instance methods to check, and those other methods take.
    Set<Class<?>> wanted = new LinkedHashSet<>();
    for (Class<?> type : types) {
      if (!type.isInterface() && !type.isEnum() && !Modifier.isAbstract(type.getModifiers())) {
        wanted.add(type);
      }
    }
    Map<Class<?>, Object> instances = new LinkedHashMap<>();
    for (Object given : givenInstances) {
      offer(given, wanted, instances);
    }
    for (int round = 0;
        round < PRODUCER_ROUNDS && !instances.keySet().containsAll(wanted);
        round++) {
      for (Class<?> type : types) {
        for (Method method : type.getDeclaredMethods()) {
          if (Modifier.isStatic(method.getModifiers())
              && Modifier.isPublic(method.getModifiers())
              && makesWanted(method, wanted, instances)) {
            produce(null, method, wanted, instances);
          }
        }
      }
      for (Object made : new ArrayList<>(instances.values())) {
        for (Method method : made.getClass().getMethods()) {
          if (method.getName().equals("build")
              && method.getParameterCount() == 0
              && makesWanted(method, wanted, instances)) {
            produce(made, method, wanted, instances);
          }
        }
      }
    }
    return instances;
  }

  private static boolean makesWanted(
      Method method, Set<Class<?>> wanted, Map<Class<?>, Object> instances) {
    for (Class<?> type : wanted) {
      if (!instances.containsKey(type) && type.isAssignableFrom(method.getReturnType())) {
        return true;
      }
    }
    return false;
  }

  private void produce(
      Object target, Method method, Set<Class<?>> wanted, Map<Class<?>, Object> instances) {
    Object[] args = new Object[method.getParameterCount()];
    Parameter[] parameters = method.getParameters();
    for (int i = 0; i < args.length; i++) {
      args[i] = defaultValue(parameters[i]);
      if (args[i] == null && !parameters[i].getType().isPrimitive()) {
        return;
      }
    }
    try {
      method.setAccessible(true);
      Object made = method.invoke(target, args);
      if (made != null) {
        offer(made, wanted, instances);
      }
    } catch (InvocationTargetException | IllegalAccessException rejectedDefaults) {
      // That factory does not take the default arguments; another may, or the test passes one.
    }
  }

  /** Keeps what a factory made, also as the default argument of its type (unless one is set). */
  private void offer(Object made, Set<Class<?>> wanted, Map<Class<?>, Object> instances) {
    for (Class<?> type : wanted) {
      if (type.isInstance(made) && instances.putIfAbsent(type, made) == null) {
        if (!defaults.containsKey(type)) {
          setDefaultUnchecked(type, made);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private <T> void setDefaultUnchecked(Class<T> type, Object value) {
    setDefault(type, (T) value);
  }

  /** Checks each non-nullable reference parameter; returns how many it checked. */
  private int checkParameters(Object instance, Executable member, List<String> failures) {
    member.setAccessible(true);
    Parameter[] parameters = member.getParameters();
    int checked = 0;
    for (int i = 0; i < parameters.length; i++) {
      Parameter parameter = parameters[i];
      if (parameter.getType().isPrimitive() || isNullable(parameter)) {
        continue;
      }
      checked++;
      String where = describe(member) + " parameter " + i;
      if (!parameter.isNamePresent()) {
        failures.add(where + ": no parameter names in the class file (compile with -parameters)");
        continue;
      }
      try {
        if (member instanceof Method) {
          tester.testMethodParameter(instance, (Method) member, i);
        } else {
          tester.testConstructorParameter((Constructor<?>) member, i);
        }
      } catch (AssertionError | RuntimeException e) {
        failures.add(where + " '" + parameter.getName() + "': " + firstLine(e));
        continue;
      }
      String problem = messageProblem(instance, member, i);
      if (problem != null) {
        failures.add(where + " '" + parameter.getName() + "': " + problem);
      }
    }
    return checked;
  }

  /** Null when the NPE for parameter {@code nullIndex} has exactly the parameter's name. */
  private String messageProblem(Object instance, Executable member, int nullIndex) {
    Parameter[] parameters = member.getParameters();
    Object[] args = new Object[parameters.length];
    for (int i = 0; i < args.length; i++) {
      if (i != nullIndex) {
        args[i] = defaultValue(parameters[i]);
        if (args[i] == null && !isNullable(parameters[i])) {
          return "no default for " + parameters[i].getType().getName() + " (use setDefault)";
        }
      }
    }
    Throwable thrown;
    try {
      if (member instanceof Method) {
        ((Method) member).invoke(instance, args);
      } else {
        ((Constructor<?>) member).newInstance(args);
      }
      return "accepted null";
    } catch (InvocationTargetException e) {
      thrown = e.getCause();
    } catch (ReflectiveOperationException e) {
      return "cannot invoke: " + e;
    }
    if (thrown instanceof UnsupportedOperationException) {
      return null;
    }
    String name = parameters[nullIndex].getName();
    if (!(thrown instanceof NullPointerException) || !name.equals(thrown.getMessage())) {
      return "threw " + thrown + " (expected: NullPointerException(\"" + name + "\"))";
    }
    return null;
  }

  private static boolean isNullable(Parameter parameter) {
    return hasNullable(parameter.getAnnotations())
        || hasNullable(parameter.getAnnotatedType().getAnnotations());
  }

  private static boolean hasNullable(Annotation[] annotations) {
    for (Annotation annotation : annotations) {
      if (NULLABLE_NAMES.contains(annotation.annotationType().getSimpleName())) {
        return true;
      }
    }
    return false;
  }

  /** What {@link NullPointerTester} would pass, for the types this project's APIs take. */
  private Object defaultValue(Parameter parameter) {
    return defaultValue(parameter.getType(), parameter.getParameterizedType());
  }

  private Object defaultValue(Class<?> type, Type generic) {
    Object given = defaults.get(type);
    if (given != null) {
      return given;
    }
    if (type == Class.class) {
      return classArgument(generic);
    }
    if (type.isArray()) {
      return Array.newInstance(type.getComponentType(), 0);
    }
    Object arbitrary = ArbitraryInstances.get(type);
    if (arbitrary != null) {
      return arbitrary;
    }
    if (type.isInterface()) {
      return dummy(type);
    }
    return null;
  }

  private static Class<?> classArgument(Type generic) {
    if (generic instanceof ParameterizedType) {
      return raw(((ParameterizedType) generic).getActualTypeArguments()[0]);
    }
    return Object.class;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class) {
      return (Class<?>) type;
    }
    if (type instanceof ParameterizedType) {
      return raw(((ParameterizedType) type).getRawType());
    }
    if (type instanceof WildcardType) {
      return raw(((WildcardType) type).getUpperBounds()[0]);
    }
    if (type instanceof TypeVariable) {
      return raw(((TypeVariable<?>) type).getBounds()[0]);
    }
    return Object.class;
  }

  private final Map<Class<?>, Object> dummies = new IdentityHashMap<>();

  private Object dummy(Class<?> type) {
    return dummies.computeIfAbsent(
        type,
        t ->
            Proxy.newProxyInstance(
                t.getClassLoader(),
                new Class<?>[] {t},
                (proxy, method, args) -> {
                  switch (method.getName()) {
                    case "equals":
                      return proxy == args[0];
                    case "hashCode":
                      return System.identityHashCode(proxy);
                    case "toString":
                      return "dummy " + t.getSimpleName();
                    default:
                      return method.getReturnType() == void.class
                          ? null
                          : defaultValue(method.getReturnType(), method.getGenericReturnType());
                  }
                }));
  }

  private static String describe(Executable member) {
    return member.getDeclaringClass().getName()
        + (member instanceof Constructor ? ".<init>" : "." + member.getName())
        + Arrays.toString(
            Arrays.stream(member.getParameterTypes()).map(Class::getSimpleName).toArray());
  }

  private static String names(List<Method> methods) {
    Set<String> names = new LinkedHashSet<>();
    for (Method method : methods) {
      names.add(method.getName());
    }
    return String.join(", ", names);
  }

  private static String firstLine(Throwable e) {
    String text = Objects.toString(e.getMessage(), e.toString());
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    return e.getCause() == null ? line : line + " (actual: " + e.getCause() + ")";
  }
}
