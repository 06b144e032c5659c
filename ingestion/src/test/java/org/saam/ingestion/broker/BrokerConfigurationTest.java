package org.saam.ingestion.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.ReadingBatchCodec;

/** The production broker configuration shipped in {@code ingestion/broker/rabbitmq.conf}. */
class BrokerConfigurationTest {
  private static final Map<String, String> settings = new LinkedHashMap<>();

  @BeforeAll
  static void read() throws Exception {
    for (String line : Files.readAllLines(Path.of("broker/rabbitmq.conf"))) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int equals = trimmed.indexOf('=');
      assertThat(equals).as("a key = value line: %s", line).isPositive();
      String key = trimmed.substring(0, equals).strip();
      assertThat(settings).as("%s set once", key).doesNotContainKey(key);
      settings.put(key, trimmed.substring(equals + 1).strip());
    }
  }

  @Test
  void listensOnlyOverTls() {
    assertThat(settings).containsEntry("listeners.tcp", "none");
    assertThat(settings).containsEntry("mqtt.listeners.tcp", "none");
    assertThat(settings).containsKeys("listeners.ssl.default", "mqtt.listeners.ssl.default");
    assertThat(settings.keySet())
        .filteredOn(
            key -> key.startsWith("listeners.tcp.") || key.startsWith("mqtt.listeners.tcp."))
        .isEmpty();
    assertThat(settings)
        .containsKeys("management.ssl.port")
        .doesNotContainKey("management.tcp.port");
  }

  @Test
  void refusesAnonymousClientsAndHasNoGuest() {
    assertThat(settings).containsEntry("mqtt.allow_anonymous", "false");
    assertThat(settings).doesNotContainKeys("mqtt.default_user", "mqtt.default_pass");
    assertThat(settings.get("default_user")).isNotEqualTo("guest");
    assertThat(settings).doesNotContainKey("default_pass");
  }

  @Test
  void refusesMessagesOverTheContractLimitPlusHeadroom() {
    int limit = Integer.parseInt(settings.get("max_message_size"));

    assertThat(limit).isGreaterThan(ReadingBatchCodec.MAX_PAYLOAD_BYTES);
    assertThat(limit).isEqualTo(ReadingBatchCodec.MAX_PAYLOAD_BYTES + 64 * 1024);
  }
}
