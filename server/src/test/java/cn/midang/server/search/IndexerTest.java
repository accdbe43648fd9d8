package cn.midang.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which documents go on to be recognised (the lanes themselves run in ScanSearchIT, ReindexIT). */
class IndexerTest {

    @Test
    void pdfsAndPictures_areRecognisable_otherTypesAreNot() {
        assertThat(Indexer.recognisable("application/pdf")).isTrue();
        assertThat(Indexer.recognisable("image/jpeg")).isTrue();
        assertThat(Indexer.recognisable("image/tiff")).isTrue();
        assertThat(Indexer.recognisable("application/vnd.openxmlformats-officedocument.wordprocessingml.document")).isFalse();
        assertThat(Indexer.recognisable("text/plain; charset=UTF-8")).isFalse();
        assertThat(Indexer.recognisable(null)).isFalse();
    }
}
