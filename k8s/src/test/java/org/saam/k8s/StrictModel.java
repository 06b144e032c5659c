package org.saam.k8s;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

/**
 * Reads each object into the typed model Kubernetes (fabric8), the Flink operator, cert-manager and
 * prometheus-operator define for it, and fails on any field the model does not know. The fabric8
 * classes keep unknown fields in a catch-all map; this mapper takes that map away, so a misspelt or
 * misplaced field is an error with its path, as the API server's strict validation would report it.
 * The Flink operator's classes ignore unknown fields by annotation; that is switched off too.
 */
final class StrictModel {
  /** Custom resources and the model class (generated from the CRD of the version noted). */
  private static final Map<String, Class<? extends HasMetadata>> CUSTOM =
      Map.of(
          // flink-kubernetes-operator-api 1.10.0
          "flink.apache.org/v1beta1/FlinkDeployment", FlinkDeployment.class,
          // fabric8 certmanager-model-v1 6.13.2 (cert-manager v1 CRDs)
          "cert-manager.io/v1/Certificate", io.fabric8.certmanager.api.model.v1.Certificate.class,
          // fabric8 openshift-model-monitoring 6.13.2 (prometheus-operator
          // monitoring.coreos.com/v1)
          "monitoring.coreos.com/v1/ServiceMonitor",
              io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class,
          "monitoring.coreos.com/v1/PodMonitor",
              io.fabric8.openshift.api.model.monitoring.v1.PodMonitor.class,
          "monitoring.coreos.com/v1/PrometheusRule",
              io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule.class);

  private final KubernetesSerialization serialization;
  private final ObjectMapper mapper;

  StrictModel() {
    mapper = new ObjectMapper();
    SimpleModule noCatchAll = new SimpleModule("no-catch-all");
    noCatchAll.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public BeanDeserializerBuilder updateBuilder(
              DeserializationConfig config,
              BeanDescription description,
              BeanDeserializerBuilder builder) {
            if (builder.getAnySetter() != null) {
              builder.setAnySetter(null);
            }
            return builder;
          }
        });
    mapper.registerModule(noCatchAll);
    // The operator's classes say ignoreUnknown = true (for the operator's forward compatibility);
    // here an unknown field is the mistake being looked for.
    mapper.setAnnotationIntrospector(
        new JacksonAnnotationIntrospector() {
          @Override
          public JsonIgnoreProperties.Value findPropertyIgnoralByName(
              MapperConfig<?> config, Annotated annotated) {
            JsonIgnoreProperties.Value value = super.findPropertyIgnoralByName(config, annotated);
            return value == null ? null : value.withoutIgnoreUnknown();
          }
        });
    serialization = new KubernetesSerialization(mapper, true);
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }

  /**
   * The object in its model.
   *
   * @throws IllegalArgumentException naming the object and the offending field
   */
  HasMetadata parse(JsonNode doc) {
    String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
    String json = doc.toString();
    try {
      Class<? extends HasMetadata> custom = CUSTOM.get(key);
      if (custom != null) {
        return mapper.readValue(json, custom);
      }
      KubernetesResource resource = serialization.unmarshal(json, KubernetesResource.class);
      if (resource instanceof GenericKubernetesResource || !(resource instanceof HasMetadata)) {
        throw new IllegalArgumentException(
            Manifests.id(doc)
                + ": no model for "
                + key
                + " (add it to StrictModel with its CRD's version)");
      }
      return (HasMetadata) resource;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException(
          Manifests.id(doc) + " (" + key + "): " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
