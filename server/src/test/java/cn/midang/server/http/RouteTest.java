package cn.midang.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.server.access.Action;
import cn.midang.server.access.Target;
import cn.midang.server.http.Route.Targeting;
import org.junit.jupiter.api.Test;

/**
 * A route cannot be made without an action, or with a target that is not its action's: the route
 * table is built when the server starts, so such a route stops the start. (An endpoint that runs
 * without a decision does not compile: its type takes the {@code Grant} only the guard makes.)
 */
class RouteTest {

    @Test
    void aRouteWithoutAnAction_cannotBeMade() {
        assertThatThrownBy(() -> Route.signed("GET", "/api/v1/x", null, (ex, g) -> { }))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("action");
    }

    @Test
    void anActionAboutATarget_needsARouteThatBuildsIt() {
        // A download is decided on the submission it names: a route that builds nothing is refused.
        assertThatThrownBy(() -> Route.signed("GET", "/api/v1/submissions/{id}", Action.DOWNLOAD, (ex, g) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("download is decided on a OfSubmission");
        assertThatThrownBy(() -> Route.publicRoute("GET", "/x", Action.SEARCH, (ex, g) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTargetOfTheWrongKind_isRefused() {
        Targeting<Target.OfCampaign> campaign = Targeting.of(Target.OfCampaign.class, ex -> new Target.OfCampaign("demo", null));
        assertThatThrownBy(() -> Route.signed("GET", "/api/v1/submissions/{id}", Action.DOWNLOAD, campaign, (ex, g) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("builds a OfCampaign");
        assertThatThrownBy(() -> Route.signed("GET", "/x", Action.DOWNLOAD, null, (ex, g) -> { }))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aWellMadeRoute_keepsWhatItWasGiven() {
        Route r = Route.signed("GET", "/api/v1/campaigns/{id}/status", Action.CAMPAIGN_STATUS,
                Targeting.of(Target.OfCampaign.class, ex -> new Target.OfCampaign(ex.pathParam(1), null)), (ex, g) -> { });
        assertThat(r.action()).isEqualTo(Action.CAMPAIGN_STATUS);
        assertThat(r.authenticated()).isTrue();
        assertThat(r.match("/api/v1/campaigns/demo/status").matches()).isTrue();
        assertThat(r.match("/api/v1/campaigns/demo/status/x").matches()).isFalse();
    }
}
