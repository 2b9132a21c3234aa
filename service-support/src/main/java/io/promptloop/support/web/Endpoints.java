package io.promptloop.support.web;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** The HTTP endpoints an application maps: path pattern → methods (what its OpenAPI description must show). */
public final class Endpoints {

    private Endpoints() {}

    public static Map<String, Set<String>> of(RequestMappingHandlerMapping mappings) {
        Map<String, Set<String>> endpoints = new TreeMap<>();
        mappings.getHandlerMethods().keySet().forEach(info -> {
            var methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                var set = endpoints.computeIfAbsent(pattern, p -> new TreeSet<>());
                methods.forEach(m -> set.add(m.name()));
            }
        });
        return endpoints;
    }
}
