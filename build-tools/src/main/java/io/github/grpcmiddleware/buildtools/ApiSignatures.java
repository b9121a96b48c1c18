package io.github.grpcmiddleware.buildtools;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The public API of a module's compiled classes as text: one line per type and per member that a
 * user can reach (public, or protected in a type a user can extend), in every package but {@code
 * internal} ones, sorted. Members that a public class inherits from a non-public superclass are
 * listed under the public class, with the superclass's type variables bound as the subclass binds
 * them: they are part of its API although declared elsewhere.
 *
 * <p>A type line is {@code pkg.Outer.Inner modifiers kind<T> extends X implements Y}; a member line
 * is {@code pkg.Type#name(parameters) modifiers result throws E} (constructors are named {@code
 * <init>}, fields have no parameter list). JSpecify's {@code @Nullable} on a parameter, result or
 * field is written in front of its type, since it changes what callers may pass or must check.
 */
final class ApiSignatures {
  private static final int TYPE_MODIFIERS =
      Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL | Modifier.ABSTRACT;
  private static final int MEMBER_MODIFIERS =
      Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL | Modifier.ABSTRACT;

  private ApiSignatures() {}

  /**
   * Lists the API of every class file under {@code classes}, loading them (without initializing)
   * through {@code loader}, which must also see their dependencies.
   */
  static List<String> of(Path classes, ClassLoader loader) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String name : classNames(classes)) {
      Class<?> type;
      try {
        type = Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException(
            "cannot load " + name + " (is every compile dependency on the class path?)", e);
      }
      if (exported(type)) {
        describe(type, lines);
      }
    }
    lines.sort(null);
    return lines;
  }

  /** True when code outside the library can name the type. */
  static boolean exported(Class<?> type) {
    if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
      return false;
    }
    if (isInternal(type.getPackageName())) {
      return false;
    }
    Class<?> enclosing = type.getEnclosingClass();
    int modifiers = type.getModifiers();
    if (enclosing == null) {
      return Modifier.isPublic(modifiers);
    }
    boolean reachable =
        Modifier.isPublic(modifiers)
            || (Modifier.isProtected(modifiers) && subclassable(enclosing));
    return reachable && exported(enclosing);
  }

  static boolean isInternal(String packageName) {
    return Arrays.asList(packageName.split("\\.")).contains("internal");
  }

  private static List<String> classNames(Path classes) throws IOException {
    if (!Files.isDirectory(classes)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      files
          .filter(file -> file.getFileName().toString().endsWith(".class"))
          .map(file -> classes.relativize(file).toString())
          .filter(
              path -> !path.endsWith("module-info.class") && !path.endsWith("package-info.class"))
          .map(path -> path.substring(0, path.length() - ".class".length()))
          .map(path -> path.replace('/', '.').replace('\\', '.'))
          .sorted()
          .forEach(names::add);
    }
    return names;
  }

  private static void describe(Class<?> type, List<String> lines) {
    String owner = new TypeNames(Map.of()).name(type);
    lines.add(owner + "  " + declaration(type));
    boolean protectedVisible = subclassable(type);
    Set<String> seen = new HashSet<>();
    Map<TypeVariable<?>, Type> bindings = new HashMap<>();
    Class<?> declaring = type;
    while (declaring != null) {
      TypeNames names = new TypeNames(Map.copyOf(bindings));
      members(owner, declaring, names, protectedVisible, seen, lines);
      // Walk up only through superclasses a user cannot see: their members are this type's API.
      Class<?> superclass = declaring.getSuperclass();
      if (superclass == null || superclass == Object.class || exported(superclass)) {
        break;
      }
      Type generic = declaring.getGenericSuperclass();
      if (generic instanceof java.lang.reflect.ParameterizedType parameterized) {
        TypeVariable<?>[] variables = superclass.getTypeParameters();
        Type[] arguments = parameterized.getActualTypeArguments();
        for (int i = 0; i < variables.length; i++) {
          bindings.put(variables[i], arguments[i]);
        }
      }
      declaring = superclass;
    }
  }

  private static void members(
      String owner,
      Class<?> declaring,
      TypeNames names,
      boolean protectedVisible,
      Set<String> seen,
      List<String> lines) {
    for (Field field : declaring.getDeclaredFields()) {
      if (!field.isSynthetic()
          && visible(field.getModifiers(), protectedVisible)
          && seen.add(field.getName())) {
        lines.add(
            owner
                + "#"
                + field.getName()
                + "  "
                + modifiers(field.getModifiers())
                + names.name(field.getAnnotatedType()));
      }
    }
    // Constructors are not inherited: only the public type's own.
    boolean own = owner.equals(new TypeNames(Map.of()).name(declaring));
    for (Constructor<?> constructor : declaring.getDeclaredConstructors()) {
      if (!own
          || declaring.isEnum()
          || constructor.isSynthetic()
          || !visible(constructor.getModifiers(), protectedVisible)) {
        continue;
      }
      lines.add(
          owner
              + "#<init>("
              + parameters(constructor, names)
              + ")  "
              + modifiers(constructor.getModifiers()).trim()
              + typeParametersAndSpace(names, constructor.getTypeParameters(), true)
              + exceptions(constructor, names));
    }
    for (Method method : declaring.getDeclaredMethods()) {
      if (method.isSynthetic()
          || method.isBridge()
          || !visible(method.getModifiers(), protectedVisible)) {
        continue;
      }
      String signature = method.getName() + "(" + parameters(method, names) + ")";
      String erased = method.getName() + Arrays.toString(method.getParameterTypes());
      if (!seen.add(erased)) {
        continue; // overridden lower down
      }
      lines.add(
          owner
              + "#"
              + signature
              + "  "
              + modifiers(method.getModifiers())
              + (method.isDefault() ? "default " : "")
              + typeParametersAndSpace(names, method.getTypeParameters(), false)
              + names.name(method.getAnnotatedReturnType())
              + exceptions(method, names));
    }
  }

  private static String declaration(Class<?> type) {
    int modifiers = type.getModifiers() & TYPE_MODIFIERS;
    String kind;
    if (type.isAnnotation()) {
      kind = "@interface";
      modifiers &= ~(Modifier.ABSTRACT | Modifier.STATIC);
    } else if (type.isInterface()) {
      kind = "interface";
      modifiers &= ~(Modifier.ABSTRACT | Modifier.STATIC);
    } else if (type.isEnum()) {
      kind = "enum";
      modifiers &= ~(Modifier.ABSTRACT | Modifier.FINAL | Modifier.STATIC);
    } else {
      kind = "class";
    }
    TypeNames names = new TypeNames(Map.of());
    StringBuilder line = new StringBuilder(Modifier.toString(modifiers));
    line.append(line.length() == 0 ? "" : " ").append(kind);
    line.append(names.typeParameters(type.getTypeParameters()));
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isInterface()) {
      line.append(" extends ").append(names.name(superclass));
    }
    List<String> interfaces = new ArrayList<>();
    for (Type implemented : type.getGenericInterfaces()) {
      if (!(type.isAnnotation() && implemented == java.lang.annotation.Annotation.class)) {
        interfaces.add(names.name(implemented));
      }
    }
    if (!interfaces.isEmpty()) {
      line.append(type.isInterface() ? " extends " : " implements ")
          .append(String.join(", ", interfaces));
    }
    return line.toString();
  }

  /** A user can extend the type: not final, and with a constructor a subclass can call. */
  private static boolean subclassable(Class<?> type) {
    if (Modifier.isFinal(type.getModifiers()) || type.isEnum()) {
      return false;
    }
    if (type.isInterface()) {
      return true;
    }
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      int modifiers = constructor.getModifiers();
      if (Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers)) {
        return true;
      }
    }
    return false;
  }

  private static boolean visible(int modifiers, boolean protectedVisible) {
    return Modifier.isPublic(modifiers) || (protectedVisible && Modifier.isProtected(modifiers));
  }

  private static String modifiers(int modifiers) {
    String text = Modifier.toString(modifiers & MEMBER_MODIFIERS);
    return text.isEmpty() ? "" : text + " ";
  }

  private static String typeParametersAndSpace(
      TypeNames names, TypeVariable<?>[] variables, boolean leading) {
    String declared = names.typeParameters(variables);
    if (declared.isEmpty()) {
      return "";
    }
    return leading ? " " + declared : declared + " ";
  }

  private static String parameters(Executable executable, TypeNames names) {
    var types = executable.getAnnotatedParameterTypes();
    List<String> rendered = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      String name = names.name(types[i]);
      if (executable.isVarArgs() && i == types.length - 1 && name.endsWith("[]")) {
        name = name.substring(0, name.length() - 2) + "...";
      }
      rendered.add(name);
    }
    return String.join(", ", rendered);
  }

  private static String exceptions(Executable executable, TypeNames names) {
    Type[] thrown = executable.getGenericExceptionTypes();
    if (thrown.length == 0) {
      return "";
    }
    List<String> rendered = new ArrayList<>();
    for (Type type : thrown) {
      rendered.add(names.name(type));
    }
    return " throws " + String.join(", ", rendered);
  }
}
