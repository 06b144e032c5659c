package org.saam.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.saam.k8s.PodTemplates.Pod;

/**
 * The checks a cluster would otherwise only reveal at apply time or at 3 a.m.: references that
 * point nowhere, and containers without pinned images, limits, probes or a non-root user. Each
 * check returns problems as sentences naming the object; an empty list passes.
 */
final class ManifestChecks {
  /** Keys of the Secret cert-manager writes for a Certificate. */
  private static final List<String> TLS_KEYS = List.of("tls.crt", "tls.key", "ca.crt");

  /** {@code [scheme://][user@]host:port[/path]}, the host a DNS name. */
  private static final Pattern ADDRESS =
      Pattern.compile(
          "^(?:[a-z][a-z0-9+.:-]*://)?(?:[^@/]*@)?([a-z][a-z0-9.-]*):(\\d+)(?:[/?#].*)?$");

  private final List<ObjectNode> docs;
  private final JsonNode external;
  private final List<Pod> pods;
  private final Set<String> namespaces = new HashSet<>();

  ManifestChecks(List<ObjectNode> docs, JsonNode external) {
    this.docs = docs;
    this.external = external;
    this.pods = PodTemplates.of(docs);
    docs.forEach(d -> namespaces.add(Manifests.namespace(d)));
  }

  /** Selectors, named ports, and every ConfigMap, Secret, PVC, ServiceAccount and class used. */
  List<String> crossReferences() {
    List<String> problems = new ArrayList<>();
    workloadSelectors(problems);
    services(problems);
    selectorsOf("PodDisruptionBudget", problems);
    networkPolicySelectors(problems);
    podReferences(problems);
    rbac(problems);
    autoscalers(problems);
    ingresses(problems);
    certificates(problems);
    monitors(problems);
    storage(problems);
    addresses(problems);
    return problems;
  }

  /** Pinned images, resources, probes, non-root, no privilege escalation. */
  List<String> hygiene() {
    List<String> problems = new ArrayList<>();
    Map<String, String> rootAllowed = new HashMap<>();
    external
        .path("rootContainers")
        .fields()
        .forEachRemaining(e -> rootAllowed.put(e.getKey(), e.getValue().asText()));
    for (Pod pod : pods) {
      JsonNode podSecurity = pod.spec().path("securityContext");
      if (!podSecurity.path("seccompProfile").path("type").asText().equals("RuntimeDefault")) {
        problems.add(pod.owner() + ": pod has no RuntimeDefault seccomp profile");
      }
      for (JsonNode container : pod.allContainers()) {
        String where = pod.owner() + " container " + container.path("name").asText();
        String image = pod.image(container);
        if (!pinned(image)) {
          problems.add(where + ": image '" + image + "' is not pinned to a tag or digest");
        }
        JsonNode resources = container.path("resources");
        if (!pod.flink()) {
          for (String path : List.of("requests/cpu", "requests/memory", "limits/memory")) {
            if (resources.at("/" + path).isMissingNode()) {
              problems.add(where + ": no resources." + path.replace('/', '.'));
            }
          }
        }
        boolean init = false;
        for (JsonNode i : pod.spec().path("initContainers")) {
          init |= i == container;
        }
        if (pod.longRunning() && !pod.flink() && !init) {
          for (String probe : List.of("readinessProbe", "livenessProbe")) {
            if (container.path(probe).isMissingNode()) {
              problems.add(where + ": no " + probe);
            }
          }
        }
        JsonNode security = container.path("securityContext");
        boolean nonRoot =
            security
                .path("runAsNonRoot")
                .asBoolean(podSecurity.path("runAsNonRoot").asBoolean(false));
        long user = security.path("runAsUser").asLong(podSecurity.path("runAsUser").asLong(-1));
        String key = pod.app() + "/" + container.path("name").asText();
        if ((!nonRoot || user == 0) && !rootAllowed.containsKey(key)) {
          problems.add(where + ": may run as root (runAsNonRoot is not true or runAsUser is 0)");
        }
        if (security.path("allowPrivilegeEscalation").asBoolean(true)) {
          problems.add(where + ": allowPrivilegeEscalation is not false");
        }
        if (!security.path("capabilities").path("drop").toString().contains("\"ALL\"")) {
          problems.add(where + ": does not drop all capabilities");
        }
        if (security.path("privileged").asBoolean(false)) {
          problems.add(where + ": is privileged");
        }
      }
    }
    return problems;
  }

  static boolean pinned(String image) {
    if (image.contains("@sha256:")) {
      return true;
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon <= slash) {
      return false;
    }
    String tag = image.substring(colon + 1);
    return !tag.isEmpty() && !tag.equals("latest");
  }

  private void workloadSelectors(List<String> problems) {
    for (ObjectNode doc : docs) {
      String kind = Manifests.kind(doc);
      if (!List.of("Deployment", "StatefulSet", "DaemonSet").contains(kind)) {
        continue;
      }
      var labels =
          PodTemplates.labels(doc.path("spec").path("template").path("metadata").path("labels"));
      if (!PodTemplates.selects(doc.path("spec").path("selector"), labels)) {
        problems.add(Manifests.id(doc) + ": its selector does not select its own pod template");
      }
      if (kind.equals("StatefulSet")) {
        String serviceName = doc.path("spec").path("serviceName").asText();
        ObjectNode service = object("Service", serviceName, Manifests.namespace(doc));
        if (service == null) {
          problems.add(Manifests.id(doc) + ": serviceName '" + serviceName + "' is no Service");
        } else if (!service.path("spec").path("clusterIP").asText().equals("None")) {
          problems.add(Manifests.id(doc) + ": serviceName '" + serviceName + "' is not headless");
        }
      }
    }
  }

  private void services(List<String> problems) {
    for (ObjectNode service : Manifests.ofKind(docs, "Service")) {
      List<Pod> targets =
          podsSelectedBy(service.path("spec").path("selector"), Manifests.namespace(service));
      if (targets.isEmpty()) {
        problems.add(Manifests.id(service) + ": its selector matches no pod");
        continue;
      }
      for (JsonNode port : service.path("spec").path("ports")) {
        JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
        for (Pod pod : targets) {
          if (!hasPort(pod, target)) {
            problems.add(
                Manifests.id(service)
                    + ": port "
                    + port.path("name").asText()
                    + " targets '"
                    + target.asText()
                    + "', which "
                    + pod.owner()
                    + " does not expose");
          }
        }
      }
    }
  }

  private void selectorsOf(String kind, List<String> problems) {
    for (ObjectNode doc : Manifests.ofKind(docs, kind)) {
      if (podsSelectedBy(doc.path("spec").path("selector"), Manifests.namespace(doc)).isEmpty()) {
        problems.add(Manifests.id(doc) + ": its selector matches no pod");
      }
    }
  }

  private void networkPolicySelectors(List<String> problems) {
    for (ObjectNode policy : Manifests.ofKind(docs, "NetworkPolicy")) {
      JsonNode selector = policy.path("spec").path("podSelector");
      boolean elsewhere = false;
      for (JsonNode labels : external.path("externalPods")) {
        elsewhere |= labels.equals(selector.path("matchLabels"));
      }
      if (selector.size() > 0
          && !elsewhere
          && podsSelectedBy(selector, Manifests.namespace(policy)).isEmpty()) {
        problems.add(Manifests.id(policy) + ": applies to no pod");
      }
    }
  }

  private void podReferences(List<String> problems) {
    for (Pod pod : pods) {
      String ns = pod.namespace();
      JsonNode spec = pod.spec();
      String account = spec.path("serviceAccountName").asText("");
      if (!account.isEmpty() && object("ServiceAccount", account, ns) == null) {
        problems.add(pod.owner() + ": service account '" + account + "' does not exist");
      }
      Set<String> volumes = new HashSet<>();
      for (JsonNode volume : spec.path("volumes")) {
        volumes.add(volume.path("name").asText());
        if (volume.has("configMap")) {
          String name = volume.path("configMap").path("name").asText();
          ObjectNode map = object("ConfigMap", name, ns);
          if (map == null) {
            problems.add(
                pod.owner() + ": volume uses ConfigMap '" + name + "', which does not exist");
          } else {
            for (JsonNode item : volume.path("configMap").path("items")) {
              if (!map.path("data").has(item.path("key").asText())) {
                problems.add(
                    pod.owner()
                        + ": ConfigMap '"
                        + name
                        + "' has no key '"
                        + item.path("key").asText()
                        + "'");
              }
            }
          }
        }
        if (volume.has("secret")) {
          secret(
              pod.owner() + " volume " + volume.path("name").asText(),
              volume.path("secret").path("secretName").asText(),
              null,
              ns,
              problems);
        }
        if (volume.has("persistentVolumeClaim")) {
          String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
          if (object("PersistentVolumeClaim", claim, ns) == null) {
            problems.add(pod.owner() + ": claim '" + claim + "' does not exist");
          }
        }
      }
      Set<String> claimTemplates = new HashSet<>();
      ObjectNode owner = ownerOf(pod);
      if (owner != null) {
        owner
            .path("spec")
            .path("volumeClaimTemplates")
            .forEach(t -> claimTemplates.add(Manifests.name(t)));
      }
      for (JsonNode container : pod.allContainers()) {
        String where = pod.owner() + " container " + container.path("name").asText();
        for (JsonNode mount : container.path("volumeMounts")) {
          String name = mount.path("name").asText();
          if (!volumes.contains(name) && !claimTemplates.contains(name)) {
            problems.add(where + ": mounts volume '" + name + "', which the pod does not have");
          }
        }
        for (JsonNode env : container.path("env")) {
          JsonNode from = env.path("valueFrom");
          if (from.has("secretKeyRef")) {
            JsonNode ref = from.path("secretKeyRef");
            secret(
                where + " env " + env.path("name").asText(),
                ref.path("name").asText(),
                ref.path("key").asText(),
                ns,
                problems);
          }
          if (from.has("configMapKeyRef")) {
            JsonNode ref = from.path("configMapKeyRef");
            ObjectNode map = object("ConfigMap", ref.path("name").asText(), ns);
            if (map == null || !map.path("data").has(ref.path("key").asText())) {
              problems.add(
                  where
                      + " env "
                      + env.path("name").asText()
                      + ": ConfigMap key "
                      + ref
                      + " does not exist");
            }
          }
        }
        for (JsonNode source : container.path("envFrom")) {
          if (source.has("secretRef")) {
            secret(
                where + " envFrom",
                source.path("secretRef").path("name").asText(),
                null,
                ns,
                problems);
          }
          if (source.has("configMapRef")
              && object("ConfigMap", source.path("configMapRef").path("name").asText(), ns)
                  == null) {
            problems.add(
                where
                    + ": envFrom ConfigMap "
                    + source.path("configMapRef").path("name").asText()
                    + " does not exist");
          }
        }
      }
    }
    for (ObjectNode flink : Manifests.ofKind(docs, "FlinkDeployment")) {
      String account = flink.path("spec").path("serviceAccount").asText();
      if (object("ServiceAccount", account, Manifests.namespace(flink)) == null) {
        problems.add(Manifests.id(flink) + ": service account '" + account + "' does not exist");
      }
    }
  }

  private void secret(String where, String name, String key, String ns, List<String> problems) {
    JsonNode declared = external.path("secrets").path(ns).path(name);
    if (!declared.isMissingNode()) {
      if (key != null && !declared.toString().contains("\"" + key + "\"")) {
        problems.add(
            where
                + ": Secret '"
                + name
                + "' is declared without key '"
                + key
                + "' (external.yaml)");
      }
      return;
    }
    boolean issued =
        Manifests.ofKind(docs, "Certificate").stream()
            .anyMatch(
                c ->
                    Manifests.namespace(c).equals(ns)
                        && c.path("spec").path("secretName").asText().equals(name));
    if (issued) {
      if (key != null && !TLS_KEYS.contains(key)) {
        problems.add(where + ": certificate Secret '" + name + "' has no key '" + key + "'");
      }
      return;
    }
    if (object("Secret", name, ns) != null) {
      problems.add(
          where
              + ": Secret '"
              + name
              + "' is committed in the manifests; secrets are created by operators");
      return;
    }
    problems.add(
        where
            + ": Secret '"
            + name
            + "' is neither issued by a Certificate nor declared in external.yaml");
  }

  private void rbac(List<String> problems) {
    for (String kind : List.of("RoleBinding", "ClusterRoleBinding")) {
      for (ObjectNode binding : Manifests.ofKind(docs, kind)) {
        String roleKind = binding.path("roleRef").path("kind").asText();
        String role = binding.path("roleRef").path("name").asText();
        String roleNs = roleKind.equals("ClusterRole") ? "" : Manifests.namespace(binding);
        if (object(roleKind, role, roleNs) == null) {
          problems.add(Manifests.id(binding) + ": " + roleKind + " '" + role + "' does not exist");
        }
        for (JsonNode subject : binding.path("subjects")) {
          String ns = subject.path("namespace").asText(Manifests.namespace(binding));
          if (subject.path("kind").asText().equals("ServiceAccount")
              && object("ServiceAccount", subject.path("name").asText(), ns) == null) {
            problems.add(
                Manifests.id(binding)
                    + ": service account "
                    + ns
                    + "/"
                    + subject.path("name").asText()
                    + " does not exist");
          }
        }
      }
    }
  }

  private void autoscalers(List<String> problems) {
    for (ObjectNode hpa : Manifests.ofKind(docs, "HorizontalPodAutoscaler")) {
      JsonNode target = hpa.path("spec").path("scaleTargetRef");
      if (object(
              target.path("kind").asText(), target.path("name").asText(), Manifests.namespace(hpa))
          == null) {
        problems.add(
            Manifests.id(hpa)
                + ": scales "
                + target.path("kind").asText()
                + "/"
                + target.path("name").asText()
                + ", which does not exist");
      }
    }
  }

  private void ingresses(List<String> problems) {
    Set<String> classes = strings(external.path("ingressClasses"));
    for (ObjectNode ingress : Manifests.ofKind(docs, "Ingress")) {
      String ns = Manifests.namespace(ingress);
      String cls = ingress.path("spec").path("ingressClassName").asText();
      if (!classes.contains(cls)) {
        problems.add(
            Manifests.id(ingress)
                + ": ingress class '"
                + cls
                + "' is not declared in external.yaml");
      }
      for (JsonNode tls : ingress.path("spec").path("tls")) {
        secret(Manifests.id(ingress) + " tls", tls.path("secretName").asText(), null, ns, problems);
      }
      for (JsonNode rule : ingress.path("spec").path("rules")) {
        for (JsonNode path : rule.path("http").path("paths")) {
          JsonNode backend = path.path("backend").path("service");
          ObjectNode service = object("Service", backend.path("name").asText(), ns);
          if (service == null) {
            problems.add(
                Manifests.id(ingress)
                    + ": backend Service '"
                    + backend.path("name").asText()
                    + "' does not exist");
          } else if (!servicePort(service, backend.path("port"))) {
            problems.add(
                Manifests.id(ingress)
                    + ": Service '"
                    + backend.path("name").asText()
                    + "' has no port "
                    + backend.path("port"));
          }
        }
      }
    }
  }

  private void certificates(List<String> problems) {
    Set<String> issuers = strings(external.path("clusterIssuers"));
    for (ObjectNode certificate : Manifests.ofKind(docs, "Certificate")) {
      JsonNode issuer = certificate.path("spec").path("issuerRef");
      if (!issuer.path("kind").asText().equals("ClusterIssuer")
          || !issuers.contains(issuer.path("name").asText())) {
        problems.add(
            Manifests.id(certificate)
                + ": issuer "
                + issuer
                + " is not a ClusterIssuer declared in external.yaml");
      }
    }
  }

  private void monitors(List<String> problems) {
    for (ObjectNode monitor : Manifests.ofKind(docs, "ServiceMonitor")) {
      List<ObjectNode> services =
          Manifests.ofKind(docs, "Service").stream()
              .filter(s -> Manifests.namespace(s).equals(Manifests.namespace(monitor)))
              .filter(
                  s ->
                      PodTemplates.selects(
                          monitor.path("spec").path("selector"),
                          PodTemplates.labels(s.path("metadata").path("labels"))))
              .toList();
      if (services.isEmpty()) {
        problems.add(
            Manifests.id(monitor) + ": selects no Service (Services need the labels it selects)");
      }
      for (JsonNode endpoint : monitor.path("spec").path("endpoints")) {
        for (ObjectNode service : services) {
          if (!servicePort(service, endpoint.path("port"))) {
            problems.add(
                Manifests.id(monitor)
                    + ": Service "
                    + Manifests.name(service)
                    + " has no port "
                    + endpoint.path("port"));
          }
        }
      }
    }
    for (ObjectNode monitor : Manifests.ofKind(docs, "PodMonitor")) {
      List<Pod> selected =
          podsSelectedBy(monitor.path("spec").path("selector"), Manifests.namespace(monitor));
      if (selected.isEmpty()) {
        problems.add(Manifests.id(monitor) + ": selects no pod");
      }
      for (JsonNode endpoint : monitor.path("spec").path("podMetricsEndpoints")) {
        for (Pod pod : selected) {
          if (!hasPort(pod, endpoint.path("port"))) {
            problems.add(
                Manifests.id(monitor)
                    + ": "
                    + pod.owner()
                    + " has no port "
                    + endpoint.path("port"));
          }
        }
      }
    }
  }

  private void storage(List<String> problems) {
    Set<String> classes = strings(external.path("storageClasses"));
    for (ObjectNode set : Manifests.ofKind(docs, "StatefulSet")) {
      for (JsonNode template : set.path("spec").path("volumeClaimTemplates")) {
        String cls = template.path("spec").path("storageClassName").asText("");
        if (!classes.contains(cls)) {
          problems.add(
              Manifests.id(set) + ": storage class '" + cls + "' is not declared in external.yaml");
        }
      }
    }
  }

  /** Every in-cluster address in an env value, argument or Flink option names a Service port. */
  private void addresses(List<String> problems) {
    for (Pod pod : pods) {
      for (JsonNode container : pod.allContainers()) {
        List<String> values = new ArrayList<>();
        container.path("env").forEach(e -> values.add(e.path("value").asText("")));
        container.path("args").forEach(a -> values.add(a.asText()));
        checkAddresses(
            pod.owner() + " container " + container.path("name").asText(),
            pod.namespace(),
            values,
            problems);
      }
    }
    for (ObjectNode flink : Manifests.ofKind(docs, "FlinkDeployment")) {
      List<String> values = new ArrayList<>();
      flink.path("spec").path("job").path("args").forEach(a -> values.add(a.asText()));
      flink.path("spec").path("flinkConfiguration").forEach(v -> values.add(v.asText()));
      checkAddresses(Manifests.id(flink), Manifests.namespace(flink), values, problems);
    }
  }

  private void checkAddresses(String where, String ns, List<String> values, List<String> problems) {
    for (String value : values) {
      for (String token : value.split("[,\\s\"']+")) {
        Matcher m = ADDRESS.matcher(token);
        if (!m.matches()) {
          continue;
        }
        String[] labels = m.group(1).split("\\.");
        int svc = List.of(labels).indexOf("svc");
        String service;
        String serviceNs;
        if (svc < 0 && labels.length <= 2) {
          service = labels[labels.length - 1];
          serviceNs = ns;
        } else if (svc >= 2) {
          service = labels[svc - 2];
          serviceNs = labels[svc - 1];
        } else {
          continue;
        }
        if (!namespaces.contains(serviceNs)) {
          continue;
        }
        ObjectNode target = object("Service", service, serviceNs);
        if (target == null) {
          problems.add(
              where + ": '" + token + "' names Service '" + service + "', which does not exist");
          continue;
        }
        int port = Integer.parseInt(m.group(2));
        boolean offered = false;
        for (JsonNode p : target.path("spec").path("ports")) {
          offered |= p.path("port").asInt() == port;
        }
        if (!offered) {
          problems.add(
              where
                  + ": '"
                  + token
                  + "' uses port "
                  + port
                  + ", which Service '"
                  + service
                  + "' does not offer");
        }
      }
    }
  }

  private static boolean servicePort(JsonNode service, JsonNode port) {
    JsonNode wanted =
        port.has("name") ? port.path("name") : port.has("number") ? port.path("number") : port;
    for (JsonNode p : service.path("spec").path("ports")) {
      if (wanted.isNumber()
          ? p.path("port").asInt() == wanted.asInt()
          : p.path("name").asText().equals(wanted.asText())) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasPort(Pod pod, JsonNode target) {
    if (pod.flink() && target.isNumber() && FLINK_PORTS.contains(target.asInt())) {
      return true;
    }
    for (JsonNode container : pod.containers()) {
      for (JsonNode port : container.path("ports")) {
        if (target.isNumber()
            ? port.path("containerPort").asInt() == target.asInt()
            : port.path("name").asText().equals(target.asText())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The ports the Flink operator and Flink itself open on a deployment's pods. */
  static final Set<Integer> FLINK_PORTS = Set.of(6121, 6122, 6123, 6124, 8081);

  private List<Pod> podsSelectedBy(JsonNode selector, String ns) {
    return pods.stream()
        .filter(p -> p.namespace().equals(ns) && PodTemplates.selects(selector, p.labels()))
        .toList();
  }

  private ObjectNode ownerOf(Pod pod) {
    return docs.stream()
        .filter(
            d ->
                Manifests.id(d).equals(pod.owner())
                    && Manifests.namespace(d).equals(pod.namespace()))
        .findFirst()
        .orElse(null);
  }

  private ObjectNode object(String kind, String name, String ns) {
    for (ObjectNode doc : docs) {
      if (Manifests.kind(doc).equals(kind)
          && Manifests.name(doc).equals(name)
          && Manifests.namespace(doc).equals(ns)) {
        return doc;
      }
    }
    return null;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> values = new HashSet<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
