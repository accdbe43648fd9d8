package cn.midang.keys.pki;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.internal.Bc;
import cn.midang.keys.internal.Pem;
import cn.midang.keys.io.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A PKCS#10 certification request: a public key and a name, signed by the matching private key
 * (SM3withSM2), which proves the requester holds the key. {@code openssl req -verify -vfyopt
 * distid:1234567812345678} accepts it.
 */
public final class CertificationRequest {

    static final String PEM_TYPE = "CERTIFICATE REQUEST";

    private final PKCS10CertificationRequest request;

    private CertificationRequest(PKCS10CertificationRequest request) {
        this.request = request;
    }

    static CertificationRequest create(PrivateKey key, Certificate placeholder, String commonName) throws KeysException {
        Names.requireCommonName(commonName);
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(Names.person(commonName),
                    KeyFactory.getInstance("EC", Bc.PROVIDER).generatePublic(
                            new X509EncodedKeySpec(
                                    placeholder.holder().getSubjectPublicKeyInfo().getEncoded())));
            return new CertificationRequest(b.build(CertificateBuilder.signer(key)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a certification request", e);
        }
    }

    /** Parses a request from PEM or DER and checks its self-signature. */
    public static CertificationRequest parse(byte[] pemOrDer) throws KeysException {
        byte[] der = Pem.decode(PEM_TYPE, pemOrDer, "the certification request");
        CertificationRequest r;
        try {
            r = new CertificationRequest(new PKCS10CertificationRequest(der));
        } catch (IOException | RuntimeException e) {
            throw new KeysException(Reason.MALFORMED, "the certification request is not valid PKCS#10", e);
        }
        r.checkSignature();
        return r;
    }

    public static CertificationRequest read(Path file) throws KeysException {
        return parse(SafeFiles.read(file, "certification request"));
    }

    private void checkSignature() throws KeysException {
        try {
            ContentVerifierProvider v = new JcaContentVerifierProviderBuilder().setProvider(Bc.PROVIDER)
                    .build(request.getSubjectPublicKeyInfo());
            if (!request.isSignatureValid(v)) {
                throw new KeysException(Reason.BAD_SIGNATURE,
                        "the certification request's signature does not match its key (was it altered?)");
            }
        } catch (OperatorCreationException | PKCSException e) {
            throw new KeysException(Reason.MALFORMED, "the certification request's key or signature cannot be read", e);
        }
    }

    /** The requested common name. */
    public String commonName() {
        RDN[] rdns = request.getSubject().getRDNs(BCStyle.CN);
        if (rdns.length == 0) {
            return "";
        }
        return rdns[0].getFirst().getValue() instanceof ASN1String s ? s.getString() : rdns[0].getFirst().getValue().toString();
    }

    SubjectPublicKeyInfo publicKeyInfo() {
        return request.getSubjectPublicKeyInfo();
    }

    public byte[] der() {
        try {
            return request.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toPem() {
        return Pem.encode(PEM_TYPE, der());
    }

    public void writePem(Path file) throws KeysException {
        SafeFiles.writeAtomically(file, toPem().getBytes(StandardCharsets.US_ASCII), false);
    }
}
