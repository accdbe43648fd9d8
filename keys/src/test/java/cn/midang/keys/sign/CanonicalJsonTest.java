package cn.midang.keys.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    @Test
    void nestedObjectsAndArrays_areSortedAtEveryLevel_withoutWhitespace() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("d", "整改");
        inner.put("c", true);
        Map<String, Object> m = new HashMap<>();
        m.put("b", List.of(1, inner, List.of()));
        m.put("a", "tab\there \"q\"");
        assertThat(new String(CanonicalJson.encode(m), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":\"tab\\there \\\"q\\\"\",\"b\":[1,{\"c\":true,\"d\":\"整改\"},[]]}");
    }

    @Test
    void keysSortByUtf16CodeUnits_asJcsSays() {
        // U+20AC (€) sorts before U+1F600 (😀, surrogates D83D DE00) by code units although its code point is smaller too;
        // U+FB33 sorts after the surrogate pair by code units, before it by code point.
        Map<String, Object> m = Map.of("\uFB33", 1, "\uD83D\uDE00", 2, "\u20AC", 3);
        assertThat(new String(CanonicalJson.encode(m), StandardCharsets.UTF_8))
                .isEqualTo("{\"\u20AC\":3,\"\uD83D\uDE00\":2,\"\uFB33\":1}");
    }

    @Test
    void floatsAndNulls_areRefused() {
        assertThatThrownBy(() -> CanonicalJson.encode(Map.of("x", 1.5))).isInstanceOf(IllegalArgumentException.class);
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("x", null);
        assertThatThrownBy(() -> CanonicalJson.encode(withNull)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }
}
