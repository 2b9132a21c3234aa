package io.promptloop.deploy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.yaml.snakeyaml.Yaml;

/**
 * The pod template of a Deployment rendered by kustomize, turned into {@code podman run} arguments the way a
 * kubelet would start its containers: the env exactly as declared ({@code value}, {@code secretKeyRef}, {@code
 * configMapKeyRef}, {@code envFrom}), Secrets and ConfigMaps taken from rendered objects, {@code command} as the
 * entrypoint and {@code args} after the image, the user, read-only root, dropped capabilities, {@code emptyDir}
 * mounts as tmpfs and the memory limit. A reference Kubernetes would refuse (a missing Secret, a missing key
 * that is not optional) is an {@link IllegalStateException} naming the Deployment, container, variable, Secret
 * and key, as {@code CreateContainerConfigError} would.
 */
final class PodTemplate {

    private final String deployment;
    private final Map<String, Object> spec;

    private PodTemplate(String deployment, Map<String, Object> spec) {
        this.deployment = deployment;
        this.spec = spec;
    }

    /** Every Deployment in a rendered multi-document YAML, by name, in order. */
    static Map<String, PodTemplate> deployments(String rendered) {
        Map<String, PodTemplate> templates = new LinkedHashMap<>();
        for (Map<String, Object> object : objects(rendered, "Deployment")) {
            Map<String, Object> template = map(map(object.get("spec")).get("template"));
            templates.put(name(object), new PodTemplate(name(object), map(template.get("spec"))));
        }
        return templates;
    }

    /** Secret name → key → decoded value ({@code data} base64, {@code stringData} as is). */
    static Map<String, Map<String, String>> secrets(String rendered) {
        return keyValues(rendered, "Secret", true);
    }

    /** ConfigMap name → key → value. */
    static Map<String, Map<String, String>> configMaps(String rendered) {
        return keyValues(rendered, "ConfigMap", false);
    }

    String deployment() {
        return deployment;
    }

    List<Container> initContainers() {
        return containers("initContainers");
    }

    List<Container> containers() {
        return containers("containers");
    }

    private List<Container> containers(String field) {
        List<Container> containers = new ArrayList<>();
        for (Object container : list(spec.get(field))) {
            containers.add(new Container(map(container)));
        }
        return containers;
    }

    /** One container of the pod template. */
    final class Container {

        private final Map<String, Object> container;

        private Container(Map<String, Object> container) {
            this.container = container;
        }

        String name() {
            return (String) container.get("name");
        }

        String image() {
            return (String) container.get("image");
        }

        /** The readiness probe's HTTP path. */
        String readinessPath() {
            return (String) readinessGet().get("path");
        }

        /** The readiness probe's port, a named port resolved through the container's ports. */
        int readinessPort() {
            Object port = readinessGet().get("port");
            if (port instanceof Number number) {
                return number.intValue();
            }
            for (Object declared : list(container.get("ports"))) {
                if (port.equals(map(declared).get("name"))) {
                    return ((Number) map(declared).get("containerPort")).intValue();
                }
            }
            throw new IllegalStateException(
                    where() + ": the readiness probe's port " + port + " is not a port of the container");
        }

        /** The number of the container's port of this name. */
        int containerPort(String name) {
            for (Object declared : list(container.get("ports"))) {
                if (name.equals(map(declared).get("name"))) {
                    return ((Number) map(declared).get("containerPort")).intValue();
                }
            }
            throw new IllegalStateException(where() + " has no port named " + name);
        }

        private Map<String, Object> readinessGet() {
            Map<String, Object> probe = map(container.get("readinessProbe"));
            if (probe.isEmpty() || !probe.containsKey("httpGet")) {
                throw new IllegalStateException(where() + " has no HTTP readiness probe");
            }
            return map(probe.get("httpGet"));
        }

        /**
         * The container's environment as the kubelet builds it: {@code envFrom} first, then {@code env} in order
         * (a later entry wins).
         */
        Map<String, String> environment(
                Map<String, Map<String, String>> secrets, Map<String, Map<String, String>> configMaps) {
            Map<String, String> environment = new LinkedHashMap<>();
            for (Object source : list(container.get("envFrom"))) {
                Map<String, Object> from = map(source);
                String prefix = Objects.toString(from.get("prefix"), "");
                boolean secret = from.containsKey("secretRef");
                Map<String, Object> ref = map(secret ? from.get("secretRef") : from.get("configMapRef"));
                Map<String, String> values = (secret ? secrets : configMaps).get((String) ref.get("name"));
                if (values == null) {
                    if (Boolean.TRUE.equals(ref.get("optional"))) {
                        continue;
                    }
                    throw new IllegalStateException(where() + ": envFrom " + (secret ? "Secret " : "ConfigMap ")
                            + ref.get("name") + " does not exist");
                }
                values.forEach((key, value) -> environment.put(prefix + key, value));
            }
            for (Object entry : list(container.get("env"))) {
                Map<String, Object> env = map(entry);
                String name = (String) env.get("name");
                if (env.containsKey("value")) {
                    environment.put(name, Objects.toString(env.get("value"), ""));
                    continue;
                }
                Map<String, Object> valueFrom = map(env.get("valueFrom"));
                String value;
                if (valueFrom.containsKey("secretKeyRef")) {
                    value = lookUp(name, "Secret", map(valueFrom.get("secretKeyRef")), secrets);
                } else if (valueFrom.containsKey("configMapKeyRef")) {
                    value = lookUp(name, "ConfigMap", map(valueFrom.get("configMapKeyRef")), configMaps);
                } else if (valueFrom.isEmpty()) {
                    value = "";
                } else {
                    throw new IllegalStateException(where() + ": env " + name + " uses " + valueFrom.keySet()
                            + ", which this test cannot" + " reproduce outside a cluster");
                }
                if (value != null) {
                    environment.put(name, value);
                }
            }
            return environment;
        }

        /** null for an optional reference that does not resolve (Kubernetes then leaves the variable out). */
        private String lookUp(
                String variable, String kind, Map<String, Object> ref, Map<String, Map<String, String>> objects) {
            String object = (String) ref.get("name");
            String key = (String) ref.get("key");
            boolean optional = Boolean.TRUE.equals(ref.get("optional"));
            Map<String, String> values = objects.get(object);
            if (values == null || !values.containsKey(key)) {
                if (optional) {
                    return null;
                }
                throw new IllegalStateException(where() + ": env " + variable + " needs " + kind + " " + object
                        + (values == null
                                ? ", which does not exist"
                                : " key " + key + ", which it lacks (its keys: " + String.join(", ", values.keySet())
                                        + ")")
                        + "; Kubernetes would not start this container (CreateContainerConfigError)");
            }
            return values.get(key);
        }

        /**
         * {@code podman run} options for this container (no image, no args: see {@link #image()}, {@link
         * #arguments()}), with the environment given.
         */
        List<String> runOptions(Map<String, String> environment) {
            List<String> options = new ArrayList<>();
            Map<String, Object> podSecurity = map(spec.get("securityContext"));
            Map<String, Object> security = map(container.get("securityContext"));
            Object user = security.getOrDefault("runAsUser", podSecurity.get("runAsUser"));
            if (user != null) {
                options.addAll(List.of("--user", user.toString()));
            }
            if (Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
                options.add("--read-only");
            }
            if (Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
                options.addAll(List.of("--security-opt", "no-new-privileges"));
            }
            for (Object capability : list(map(security.get("capabilities")).get("drop"))) {
                options.addAll(List.of("--cap-drop", capability.toString()));
            }
            Map<String, Map<String, Object>> volumes = list(spec.get("volumes")).stream()
                    .map(PodTemplate::map)
                    .collect(Collectors.toMap(v -> (String) v.get("name"), Function.identity()));
            for (Object mount : list(container.get("volumeMounts"))) {
                Map<String, Object> volumeMount = map(mount);
                Map<String, Object> volume = volumes.get((String) volumeMount.get("name"));
                if (volume == null || !volume.containsKey("emptyDir")) {
                    throw new IllegalStateException(where() + ": volume " + volumeMount.get("name")
                            + " is not an emptyDir, which this test cannot reproduce outside a cluster");
                }
                options.addAll(List.of("--tmpfs", (String) volumeMount.get("mountPath")));
            }
            Object memory = map(map(container.get("resources")).get("limits")).get("memory");
            if (memory != null) {
                options.addAll(List.of("--memory", podmanSize(memory.toString())));
            }
            List<?> command = list(container.get("command"));
            if (!command.isEmpty()) {
                options.addAll(List.of(
                        "--entrypoint",
                        command.stream()
                                .map(c -> "\"" + c.toString().replace("\"", "\\\"") + "\"")
                                .collect(Collectors.joining(",", "[", "]"))));
            }
            environment.forEach((name, value) -> options.addAll(List.of("-e", name + "=" + value)));
            return options;
        }

        /** The container's {@code args}, given after the image (they replace the image's CMD). */
        List<String> arguments() {
            return list(container.get("args")).stream().map(Object::toString).toList();
        }

        private String where() {
            return "Deployment " + deployment + ", container " + name();
        }
    }

    private static String podmanSize(String quantity) {
        String lower = quantity.toLowerCase(Locale.ROOT);
        for (String suffix : List.of("ki", "mi", "gi")) {
            if (lower.endsWith(suffix)) {
                return lower.substring(0, lower.length() - 2) + suffix.charAt(0);
            }
        }
        return quantity;
    }

    private static Map<String, Map<String, String>> keyValues(String rendered, String kind, boolean base64) {
        Map<String, Map<String, String>> result = new LinkedHashMap<>();
        for (Map<String, Object> object : objects(rendered, kind)) {
            Map<String, String> values = new LinkedHashMap<>();
            map(object.get("data")).forEach((key, value) -> values.put(key, decode(value.toString(), base64)));
            map(object.get("stringData")).forEach((key, value) -> values.put(key, value.toString()));
            result.put(name(object), values);
        }
        return result;
    }

    private static String decode(String value, boolean base64) {
        return base64 ? new String(Base64.getMimeDecoder().decode(value), StandardCharsets.UTF_8) : value;
    }

    private static List<Map<String, Object>> objects(String rendered, String kind) {
        return StreamSupport.stream(new Yaml().loadAll(rendered).spliterator(), false)
                .filter(Objects::nonNull)
                .map(PodTemplate::map)
                .filter(object -> kind.equals(object.get("kind")))
                .toList();
    }

    private static String name(Map<String, Object> object) {
        return (String) map(object.get("metadata")).get("name");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }
}
