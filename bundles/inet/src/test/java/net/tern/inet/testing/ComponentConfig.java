package net.tern.inet.testing;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A component property type ({@code @interface Config}) as DS hands it to a component: the
 * given values, the annotation's defaults for the rest, as if read from a configuration.
 */
public final class ComponentConfig {
    private ComponentConfig() {
    }

    public static <A> A of(Class<A> type, Map<String, ?> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return type;
                    }
                    if (method.getName().equals("toString")) {
                        return type.getSimpleName() + values;
                    }
                    Object value = values.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                }));
    }
}
