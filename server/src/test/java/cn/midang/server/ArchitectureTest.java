package cn.midang.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.seal.PositionalCipher;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.seal.Rewrapper;
import cn.midang.server.access.Guard;
import cn.midang.server.access.Policy;
import cn.midang.server.access.Target;
import cn.midang.server.archfixture.leak.Violations;
import cn.midang.server.archive.BlobStore;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.http.Exchange;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's shape, as rules that fail the build (issue 14): no package cycles; only the archive
 * barrier holds the archive key and the blob store; the policy is a pure function that knows
 * nothing of HTTP; only the crypto library reaches its internals; only the request pipeline asks
 * the guard, serves HTTP and reads requests outside the route classes. Each rule is also run on
 * deliberate violations ({@code archfixture}) and must find them, so a rule that cannot fail is
 * caught too.
 */
class ArchitectureTest {

    static JavaClasses production;
    static JavaClasses violations;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("cn.midang.server", "cn.midang.cli", "cn.midang.forms");
        violations = new ClassFileImporter().importPackages("cn.midang.server.archfixture");
    }

    /** The packages of the server use each other in one direction only. */
    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles();
    }

    /** The archive's private key and the blobs are touched only by the barrier ({@code cn.midang.server.archive.Archive}). */
    static final ArchRule ARCHIVE_KEY_AND_BLOBS_ONLY_IN_THE_BARRIER = noClasses()
            .that().resideInAPackage("cn.midang.server..").and().resideOutsideOfPackage("cn.midang.server.archive..")
            .should().callMethod(Deployment.class, "archiveIdentity")
            .orShould().callMethod(Opener.class, "forRecipient", Identity.class, ChainValidator.class)
            .orShould().callMethod(Rewrapper.class, "holding", Identity.class)
            .orShould().callMethod(RecordCipher.class, "openKey", byte[].class, Identity.class, ChainValidator.class)
            .orShould().callMethod(PositionalCipher.class, "openKey", byte[].class, Identity.class, ChainValidator.class)
            .orShould().dependOnClassesThat().areAssignableTo(BlobStore.class)
            .because("the archive barrier is the one holder of the archive key and the blob store");

    /** The policy decides from caller, standing, action, target and time: no transport, no database, no log. */
    static ArchRule policyIsPure(Class<?> policy) {
        return noClasses().that().belongToAnyOf(policy)
                .should().dependOnClassesThat().resideInAnyPackage("cn.midang.server.http..", "org.eclipse.jetty..", "java.sql..",
                        "cn.midang.server.storage..", "cn.midang.server.audit..")
                .because("the policy is a pure function that tests can call without a server");
    }

    /** Nothing in the access package knows about HTTP. */
    static final ArchRule ACCESS_KNOWS_NO_TRANSPORT = noClasses().that().resideInAPackage("cn.midang.server.access")
            .should().dependOnClassesThat().resideInAnyPackage("cn.midang.server.http..", "org.eclipse.jetty..");

    /** Only the crypto library uses its internals (it keeps Bouncy Castle behind them). */
    static final ArchRule KEYS_INTERNAL_STAYS_INSIDE = noClasses().that().resideOutsideOfPackage("cn.midang.keys..")
            .should().dependOnClassesThat().resideInAPackage("cn.midang.keys.internal..")
            .because("keys.internal is not exported by the keys module");

    /** Only the request pipeline decides: no endpoint or service asks the guard itself. */
    static final ArchRule ONLY_THE_PIPELINE_ASKS_THE_GUARD = noClasses().that().resideOutsideOfPackage("cn.midang.server.http..")
            .should().callMethod(Guard.class, "check", String.class, cn.midang.server.identity.Caller.class,
                    cn.midang.server.access.Action.class, Target.class)
            .because("a route names its action and target; the pipeline decides before the endpoint runs");

    /** Every endpoint is a route in Api's table: nothing else serves HTTP but the composition root that starts Jetty. */
    static final ArchRule ONLY_THE_PIPELINE_SERVES_HTTP = noClasses().that().resideOutsideOfPackage("cn.midang.server.http..")
            .and().doNotBelongToAnyOf(MidangServer.class)
            .should().dependOnClassesThat().resideInAPackage("org.eclipse.jetty.server..")
            .because("an endpoint outside the route table would have no action and no decision");

    /** Services take typed commands; only the route classes (…Routes) read requests. */
    static final ArchRule ONLY_ROUTES_READ_REQUESTS = noClasses().that().resideOutsideOfPackage("cn.midang.server.http..")
            .and().haveSimpleNameNotEndingWith("Routes")
            .should().dependOnClassesThat().areAssignableTo(Exchange.class);

    /**
     * A child process's pipes are read and written on platform threads: a virtual thread blocked
     * in a pipe's native read holds its carrier, and with one child per core the idle children's
     * readers held them all (a report waited out the 60 s extraction timeout; ForkedExtractor.pipe).
     */
    static final ArchRule NO_VIRTUAL_THREADS_ON_PIPES = noClasses().that().resideInAPackage("cn.midang.server.extract..")
            .should().callMethod(Thread.class, "ofVirtual")
            .orShould().callMethod(Thread.class, "startVirtualThread", Runnable.class)
            .because("a blocking read of a process pipe pins a virtual thread's carrier");

    @Test
    void childProcessPipesAreMovedByPlatformThreads() {
        NO_VIRTUAL_THREADS_ON_PIPES.check(production);
    }

    @Test
    void theServerHasNoPackageCycles() {
        noPackageCycles("cn.midang.server").check(production);
    }

    @Test
    void onlyTheBarrierHoldsTheArchiveKeyAndTheBlobs() {
        ARCHIVE_KEY_AND_BLOBS_ONLY_IN_THE_BARRIER.check(production);
    }

    @Test
    void thePolicyIsPureAndTheAccessPackageKnowsNoTransport() {
        policyIsPure(Policy.class).check(production);
        ACCESS_KNOWS_NO_TRANSPORT.check(production);
    }

    @Test
    void onlyTheCryptoLibraryUsesItsInternals() {
        KEYS_INTERNAL_STAYS_INSIDE.check(production);
    }

    @Test
    void onlyThePipelineDecidesServesAndReadsRequests() {
        ONLY_THE_PIPELINE_ASKS_THE_GUARD.check(production);
        ONLY_THE_PIPELINE_SERVES_HTTP.check(production);
        ONLY_ROUTES_READ_REQUESTS.check(production);
    }

    @Test
    void theImportSawTheWholeServer() {
        // A rule over nothing passes; make sure the classes are there.
        assertThat(production.contain(MidangServer.class)).isTrue();
        assertThat(production.contain(Policy.class)).isTrue();
        assertThat(production.contain(cn.midang.cli.net.MidangClient.class)).isTrue();
        assertThat(violations.contain(Violations.class)).isTrue();
    }

    @Test
    void everyRuleFindsItsDeliberateViolation() {
        assertThatThrownBy(() -> noPackageCycles("cn.midang.server.archfixture.cycle").check(violations))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Cycle detected");
        assertThatThrownBy(() -> ARCHIVE_KEY_AND_BLOBS_ONLY_IN_THE_BARRIER.check(violations))
                .isInstanceOf(AssertionError.class).hasMessageContaining("archiveIdentity").hasMessageContaining("FileBlobStore");
        assertThatThrownBy(() -> policyIsPure(Violations.TransportPolicy.class).check(violations))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Exchange");
        assertThatThrownBy(() -> KEYS_INTERNAL_STAYS_INSIDE.check(violations))
                .isInstanceOf(AssertionError.class).hasMessageContaining("cn.midang.keys.internal.Access");
        assertThatThrownBy(() -> ONLY_THE_PIPELINE_ASKS_THE_GUARD.check(violations))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Violations.decidesItself");
        assertThatThrownBy(() -> ONLY_THE_PIPELINE_SERVES_HTTP.check(violations))
                .isInstanceOf(AssertionError.class).hasMessageContaining("SideDoor");
        assertThatThrownBy(() -> ONLY_ROUTES_READ_REQUESTS.check(violations))
                .isInstanceOf(AssertionError.class).hasMessageContaining("RequestReadingService");
    }
}
