package dev.sentrygrpc.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void defaults() {
    assertThat(DemoOptions.parse(List.of())).isEqualTo(DemoOptions.defaults());
  }

  @Test
  void valuesSeparateOrAfterEquals() {
    DemoOptions options = DemoOptions.parse(List.of("--orders", "9", "--sample-rate=0.5", "--serve", "--debug"));

    assertThat(options.orders()).isEqualTo(9);
    assertThat(options.sampleRate()).isEqualTo(0.5);
    assertThat(options.serve()).isTrue();
    assertThat(options.debug()).isTrue();
    assertThat(DemoOptions.parse(List.of("--help")).help()).isTrue();
  }

  @Test
  void mistakesAreExplained() {
    assertThatThrownBy(() -> DemoOptions.parse(List.of("--orders"))).hasMessage("--orders needs a value");
    assertThatThrownBy(() -> DemoOptions.parse(List.of("--orders", "many"))).hasMessageContaining("whole number");
    assertThatThrownBy(() -> DemoOptions.parse(List.of("--orders", "0"))).hasMessageContaining("between 1");
    assertThatThrownBy(() -> DemoOptions.parse(List.of("--sample-rate", "2"))).hasMessageContaining("between 0.0 and 1.0");
    assertThatThrownBy(() -> DemoOptions.parse(List.of("--sample-rate", "NaN"))).hasMessageContaining("between 0.0 and 1.0");
    assertThatThrownBy(() -> DemoOptions.parse(List.of("--serve=yes"))).hasMessage("--serve takes no value");
    assertThatThrownBy(() -> DemoOptions.parse(List.of("--fast"))).hasMessage("unknown option: --fast");
  }
}
