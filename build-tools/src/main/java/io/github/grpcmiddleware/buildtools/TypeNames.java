package io.github.grpcmiddleware.buildtools;

import java.lang.reflect.AnnotatedType;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes reflected types as Java source would (canonical names, generics), optionally replacing the
 * type variables of a hidden superclass by what the public subclass binds them to.
 */
final class TypeNames {
  private final Map<TypeVariable<?>, Type> bindings;

  TypeNames(Map<TypeVariable<?>, Type> bindings) {
    this.bindings = bindings;
  }

  String name(Type type) {
    if (type instanceof Class<?> c) {
      if (c.isArray()) {
        return name(c.getComponentType()) + "[]";
      }
      String canonical = c.getCanonicalName();
      return canonical != null ? canonical : c.getName();
    }
    if (type instanceof ParameterizedType p) {
      List<String> arguments = new ArrayList<>();
      for (Type argument : p.getActualTypeArguments()) {
        arguments.add(name(argument));
      }
      return name(p.getRawType()) + "<" + String.join(", ", arguments) + ">";
    }
    if (type instanceof TypeVariable<?> v) {
      Type bound = bindings.get(v);
      return bound != null ? name(bound) : v.getName();
    }
    if (type instanceof WildcardType w) {
      if (w.getLowerBounds().length > 0) {
        return "? super " + name(w.getLowerBounds()[0]);
      }
      Type upper = w.getUpperBounds()[0];
      return upper.equals(Object.class) ? "?" : "? extends " + name(upper);
    }
    if (type instanceof GenericArrayType a) {
      return name(a.getGenericComponentType()) + "[]";
    }
    return type.getTypeName();
  }

  /** The type with JSpecify's {@code @Nullable} in front when its use is annotated so. */
  String name(AnnotatedType type) {
    return (isNullable(type) ? "@Nullable " : "") + name(type.getType());
  }

  /** {@code <T extends Foo>} for generic declarations, empty for the others. */
  String typeParameters(TypeVariable<?>[] variables) {
    if (variables.length == 0) {
      return "";
    }
    List<String> declared = new ArrayList<>();
    for (TypeVariable<?> variable : variables) {
      List<String> bounds = new ArrayList<>();
      for (Type bound : variable.getBounds()) {
        if (!bound.equals(Object.class)) {
          bounds.add(name(bound));
        }
      }
      declared.add(
          bounds.isEmpty()
              ? variable.getName()
              : variable.getName() + " extends " + String.join(" & ", bounds));
    }
    return "<" + String.join(", ", declared) + ">";
  }

  private static boolean isNullable(AnnotatedType type) {
    for (var annotation : type.getAnnotations()) {
      if (annotation.annotationType().getSimpleName().equals("Nullable")) {
        return true;
      }
    }
    return false;
  }
}
