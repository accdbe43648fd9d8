package cn.midang.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.seal.PositionalCipher;
import cn.midang.server.submission.ListScope;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index's analysis, the access filter inside the query (with NOT and CJK), and highlighting. */
class SearchIndexTest {

    @TempDir
    Path dir;

    SearchIndex index;
    static final Instant T = Instant.parse("2026-11-25T08:00:00Z");

    @BeforeEach
    void setUp() throws Exception {
        index = new SearchIndex(new EncryptedDirectory(FSDirectory.open(dir), PositionalCipher.generate()));
        index.add(new SearchIndex.Doc("a-report", "demo", "unit-a", "report", "unit", T, "自查报告.docx",
                "经自查，本单位未使用国产密码产品。市场监督管理局已知悉。"));
        index.add(new SearchIndex.Doc("b-report", "demo", "unit-b", "report", "unit", T.plusSeconds(60), "自查报告.docx",
                "本单位应急预案未演练，但已使用国产密码产品。", "emergency", true));
        index.add(new SearchIndex.Doc("a-test", "demo", "unit-a", "test-result", "tester", T.plusSeconds(120), "检测结果.txt",
                "渗透测试：国产密码模块配置正确。"));
        index.add(new SearchIndex.Doc("a-other", "other", "unit-a", "report", "unit", T.plusSeconds(180), "另一报告.txt",
                "另一检查：国产密码。"));
        index.refresh();
    }

    @AfterEach
    void tearDown() throws Exception {
        index.close();
    }

    List<String> ids(ListScope scope, List<String> include, List<String> exclude) throws Exception {
        return index.search(scope, include, exclude, null, null, null, null, 20, 0).hits().stream().map(SearchIndex.Hit::id)
                .sorted().toList();
    }

    static final ListScope INSPECTOR_DEMO = new ListScope(null, Set.of("demo"), null);

    @Test
    void search_phraseWordAndSingleCharacter_withinTheScope() throws Exception {
        assertThat(ids(INSPECTOR_DEMO, List.of("国产密码"), List.of())).containsExactly("a-report", "a-test", "b-report");
        assertThat(ids(INSPECTOR_DEMO, List.of("应急预案未演练"), List.of())).containsExactly("b-report");
        assertThat(ids(INSPECTOR_DEMO, List.of("练"), List.of())).containsExactly("b-report");
        assertThat(ids(INSPECTOR_DEMO, List.of("监督管理"), List.of())).containsExactly("a-report");
        assertThat(ids(INSPECTOR_DEMO, List.of("密码产品未使用"), List.of())).as("not a phrase of any document").isEmpty();
        assertThat(ids(INSPECTOR_DEMO, List.of("检测结果"), List.of())).as("file names are searched too").containsExactly("a-test");
    }

    @Test
    void theFilterKeepsOtherUnitsAndTestersOut_evenWithNot() throws Exception {
        ListScope unitA = new ListScope("unit-a", null, null);
        assertThat(ids(unitA, List.of("国产密码"), List.of())).containsExactly("a-other", "a-report");
        assertThat(ids(unitA, List.of("国产密码"), List.of("未使用"))).containsExactly("a-other");
        assertThat(ids(unitA, List.of("应急预案"), List.of())).isEmpty();
        assertThat(ids(unitA, List.of("渗透测试"), List.of("不存在的词"))).as("the tester's upload about unit-a").isEmpty();
        assertThat(index.search(unitA, List.of("国产密码"), List.of(), null, null, null, null, 20, 0).total()).isEqualTo(2);
        assertThat(ids(new ListScope(null, Set.of(), null), List.of("国产密码"), List.of())).isEmpty();
        assertThat(ids(new ListScope(null, null, Set.of("a-test")), List.of("国产密码"), List.of())).containsExactly("a-test");
    }

    @Test
    void hits_carrySnippetsWithTheMatchMarked_andFiltersApply() throws Exception {
        SearchIndex.Hits h = index.search(INSPECTOR_DEMO, List.of("未演练"), List.of(), "demo", "unit-b", "report",
                T.plusSeconds(30), 20, 0);
        assertThat(h.hits()).singleElement().satisfies(hit -> {
            assertThat(hit.id()).isEqualTo("b-report");
            assertThat(hit.snippet()).contains("【").contains("演练");
        });
        assertThat(index.search(INSPECTOR_DEMO, List.of("未演练"), List.of(), null, null, null, T.plusSeconds(90), 20, 0).hits())
                .isEmpty();
    }

    @Test
    void facets_countOnlyWhatTheCallerMaySee_andDateOrderIsNewestFirst() throws Exception {
        SearchIndex.Hits all = index.search(INSPECTOR_DEMO, List.of("国产密码"), List.of(), null, null, null, null,
                SearchIndex.Order.DATE, 20, 0);
        assertThat(all.facets().get("unit")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("unit-a", 2L, "unit-b", 1L));
        assertThat(all.facets().get("kind")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("report", 2L, "test-result", 1L));
        assertThat(all.hits().stream().map(SearchIndex.Hit::id)).containsExactly("a-test", "b-report", "a-report");
        SearchIndex.Hits mine = index.search(new ListScope("unit-a", null, null), List.of("国产密码"), List.of(), null, null, null,
                null, 1, 0);
        assertThat(mine.facets().get("unit")).containsExactlyEntriesOf(java.util.Map.of("unit-a", 2L));
        assertThat(mine.facets().get("kind")).containsExactlyEntriesOf(java.util.Map.of("report", 2L));
        assertThat(mine.hits()).hasSize(1);
        assertThat(mine.total()).isEqualTo(2);
    }

    @Test
    void checkAreaAndLateness_filterInsideTheQuery_andAreasAreCounted() throws Exception {
        var emergency = new cn.midang.server.submission.Submissions.Filter(null, null, null, "emergency", null);
        SearchIndex.Hits h = index.search(INSPECTOR_DEMO, List.of("国产密码"), List.of(), emergency, null, SearchIndex.Order.RELEVANCE,
                20, 0);
        assertThat(h.hits()).extracting(SearchIndex.Hit::id).containsExactly("b-report");
        var late = new cn.midang.server.submission.Submissions.Filter(null, null, null, null, true);
        var onTime = new cn.midang.server.submission.Submissions.Filter(null, null, null, null, false);
        assertThat(index.search(INSPECTOR_DEMO, List.of("国产密码"), List.of(), late, null, SearchIndex.Order.RELEVANCE, 20, 0).hits())
                .extracting(SearchIndex.Hit::id).containsExactly("b-report");
        assertThat(index.search(INSPECTOR_DEMO, List.of("国产密码"), List.of(), onTime, null, SearchIndex.Order.DATE, 20, 0).hits())
                .extracting(SearchIndex.Hit::id).containsExactly("a-test", "a-report");
        // A unit filtering on another unit's area learns nothing: the scope comes first.
        assertThat(index.search(new ListScope("unit-a", null, null), List.of("国产密码"), List.of(), emergency, null,
                SearchIndex.Order.RELEVANCE, 20, 0).total()).isZero();
        SearchIndex.Hits all = index.search(INSPECTOR_DEMO, List.of("国产密码"), List.of(), null, null, null, null, 20, 0);
        assertThat(all.facets().get("area")).containsExactlyEntriesOf(java.util.Map.of("emergency", 1L));
    }

    @Test
    void facetsAndTotal_overSeveralSegments_countEveryMatchOnce() throws Exception {
        // Three more segments, 90 documents; ordinals differ from segment to segment (unit-c first appears in the second).
        java.util.Map<String, Long> units = new java.util.TreeMap<>(java.util.Map.of("unit-a", 2L, "unit-b", 1L));
        for (int i = 0; i < 90; i++) {
            String unit = i < 30 ? "unit-" + "ab".charAt(i % 2) : "unit-" + "abc".charAt(i % 3);
            boolean match = i % 4 != 0;
            index.add(new SearchIndex.Doc("more-" + i, "demo", unit, "report", "unit", T.plusSeconds(300 + i), "报告" + i + ".txt",
                    match ? "第" + i + "份：国产密码。" : "第" + i + "份：无关内容。"));
            if (match) {
                units.merge(unit, 1L, Long::sum);
            }
            if (i % 30 == 29) {
                index.commit();
                index.refresh();
            }
        }
        SearchIndex.Hits h = index.search(INSPECTOR_DEMO, List.of("国产密码"), List.of(), null, null, null, null, 5, 10);
        long matches = units.values().stream().mapToLong(Long::longValue).sum();
        assertThat(h.total()).isEqualTo(matches).isEqualTo(3 + 67);
        assertThat(h.facets().get("unit")).containsExactlyEntriesOf(units);
        assertThat(h.facets().get("kind")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("report", matches - 1, "test-result", 1L));
        assertThat(h.hits()).hasSize(5);
        SearchIndex.Hits beyond = index.search(INSPECTOR_DEMO, List.of("国产密码"), List.of(), null, null, null, null,
                SearchIndex.Order.DATE, 20, 1000);
        assertThat(beyond.hits()).isEmpty();
        assertThat(beyond.total()).isEqualTo(matches);
    }
}
