package cn.midang.server.unseal.api;

import cn.midang.server.access.Action;
import cn.midang.server.http.Route;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.unseal.Unsealing;
import java.util.Base64;
import java.util.List;

/**
 * Unsealing, open to anyone who can reach the server (a key holder need not have an account):
 * what the delivery carries is checked instead — signed by a key holder's certificate from the
 * deployment's CA, sealed to this start's one-time key.
 */
public final class UnsealRoutes {

    private final Unsealing unsealing;

    public UnsealRoutes(Unsealing unsealing) {
        this.unsealing = unsealing;
    }

    public List<Route> routes() {
        return List.of(
                Route.publicRoute("GET", "/api/v1/unseal", Action.UNSEAL_STATUS, (ex, g) -> ex.json(200, unsealing.status())),
                Route.publicRoute("POST", "/api/v1/unseal", Action.UNSEAL, (ex, g) -> {
                    byte[] delivery;
                    try {
                        delivery = Base64.getDecoder().decode(ex.selfSignedJsonBody().path("share").asText(""));
                    } catch (IllegalArgumentException e) {
                        throw new ApiException(ErrorCode.MALFORMED_REQUEST, "share is the base64 of a delivered key share");
                    }
                    ex.json(200, unsealing.deliver(ex.requestId(), delivery));
                }));
    }
}
