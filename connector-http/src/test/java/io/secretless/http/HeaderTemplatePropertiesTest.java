package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;

class HeaderTemplatePropertiesTest {
  @Property
  void textWithoutActionsRendersAsItself(@ForAll String text) {
    String literal = text.replace("{{", "{");
    assertThat(HeaderTemplate.compile(literal).render(n -> "x")).isEqualTo(literal);
  }

  @Property
  void basicAuthTemplateDecodesBackToUsernameColonPassword(
      @ForAll @AlphaChars @StringLength(min = 1, max = 30) String user, @ForAll String password) {
    String rendered =
        HeaderTemplate.compile("{{ printf \"%s:%s\" .username .password | base64 }}")
            .render(Map.of("username", user, "password", password)::get);
    assertThat(new String(Base64.getDecoder().decode(rendered), StandardCharsets.UTF_8))
        .isEqualTo(user + ":" + password);
  }
}
