package cn.midang.server.refusal;

import java.util.Locale;

/**
 * Every error a client can receive: a stable code, the HTTP status, and the message in English
 * and Chinese. The one catalogue; no endpoint writes its own error text. Messages say what was
 * wrong and how to fix it, and never carry detail that helps an attacker.
 */
public enum ErrorCode {
    UNSIGNED_REQUEST(401, "The request is not signed. Use the midang client, which signs every request with your key.",
            "请求未签名。请使用 midang 客户端，它会用您的密钥签署每个请求。"),
    MALFORMED_SIGNATURE(401, "The request's signature headers are not in Midang's form.",
            "请求的签名头格式不正确。"),
    BAD_SIGNATURE(401, "The request's signature does not match the request and the certificate sent with it.",
            "请求签名与请求内容或所附证书不符。"),
    STALE_REQUEST(401, "The request's Date is too far from the server's clock. Check your computer's clock and send again.",
            "请求时间与服务器时间相差过大。请检查本机时钟后重新发送。"),
    REPLAYED_REQUEST(401, "This request was already received once (same nonce); it is refused as a replay.",
            "该请求已被接收过（随机数重复），作为重放请求被拒绝。"),
    UNTRUSTED_CERTIFICATE(401, "Your certificate was not issued by this deployment's CA.",
            "您的证书不是本系统 CA 签发的。"),
    CERTIFICATE_EXPIRED(401, "Your certificate has expired or is not valid yet. Ask the administrator for a new one.",
            "您的证书已过期或尚未生效。请向管理员申请新证书。"),
    CERTIFICATE_REVOKED(401, "Your certificate has been revoked.", "您的证书已被吊销。"),
    UNKNOWN_ACCOUNT(401, "Your certificate is not registered to an account on this server.",
            "您的证书未在本服务器登记账户。"),
    ACCOUNT_DISABLED(401, "Your account has been disabled by the administrator; ask them to enable it.",
            "您的账户已被管理员停用；请联系管理员启用。"),
    CERTIFICATE_REPLACED(401, "This certificate was replaced by a newer one for your account; install the new certificate "
            + "(midang key install) and send again.", "您账户的此证书已被新证书取代；请安装新证书（midang key install）后重新发送。"),
    UNIT_NOT_BOUND(403, "Your account is bound to a unit id that no campaign names; the administrator binds it with "
            + "'midang admin account add --unit ID', or names the unit in the campaign file.",
            "您的账户所绑定的单位编号不属于任何检查工作；请管理员用“midang admin account add --unit 单位编号”绑定，或在检查工作定义中列入该单位。"),
    ENROL_UNTRUSTED(422, "A certificate to enrol was not issued by this deployment's CA; each one is listed. Nothing was changed.",
            "待登记的证书不是本系统 CA 签发的；已逐一列出。未做任何更改。"),
    ENROL_EXPIRED(422, "A certificate to enrol has expired or is not valid yet; each one is listed. Nothing was changed.",
            "待登记的证书已过期或尚未生效；已逐一列出。未做任何更改。"),
    ENROL_REVOKED(422, "A certificate to enrol has been revoked by the CA; each one is listed. Nothing was changed.",
            "待登记的证书已被 CA 吊销；已逐一列出。未做任何更改。"),
    ENROL_NO_ROLE(422, "A certificate to enrol names no Midang role (unit, inspector, tester, approver, leader, admin); "
            + "each one is listed. Nothing was changed.",
            "待登记的证书未注明 Midang 角色（unit、inspector、tester、approver、leader、admin）；已逐一列出。未做任何更改。"),
    ACCOUNT_EXISTS(409, "An account for this holder (same name, role and organisation) or this certificate exists already; "
            + "to give it a new certificate use --renew. Nothing was changed.",
            "该持有人（姓名、角色、单位相同）或该证书的账户已存在；如需更换证书请使用 --renew。未做任何更改。"),
    NO_SUCH_ACCOUNT(404, "No account has this certificate.", "没有账户使用该证书。"),
    CRL_WRONG_ISSUER(422, "The revocation list was issued by another CA than this deployment's; nothing was changed.",
            "该吊销列表不是本系统 CA 签发的；未做任何更改。"),
    CRL_BAD_SIGNATURE(422, "The revocation list's signature does not verify with this deployment's CA key; nothing was changed.",
            "该吊销列表的签名不能用本系统 CA 的密钥验证；未做任何更改。"),
    CRL_NOT_NEWER(409, "The revocation list is not newer than the one installed (its number must be higher); nothing was changed.",
            "该吊销列表不比已安装的新（编号须更大）；未做任何更改。"),
    CRL_OUT_OF_DATE(422, "The revocation list is not current (issued in the future, or its next update has passed or is missing); "
            + "sign a fresh one with 'midang ca crl'. Nothing was changed.",
            "该吊销列表不在有效期内（签发时间在未来，或下次更新时间已过或缺失）；请用“midang ca crl”重新签发。未做任何更改。"),
    DIGEST_MISMATCH(400, "What was received does not match what the request signed (the body's Content-Digest, or, for an "
            + "upload, the content's size and a package sealed for this request); nothing was stored.",
            "收到的内容与请求所签名的不符（请求体的摘要，或上传时文件内容的大小及为本次请求封装的数据包）；未保存任何内容。"),
    MALFORMED_REQUEST(400, "The request is missing a parameter or has an invalid one.", "请求缺少参数或参数无效。"),
    UNKNOWN_KIND(400, "Unknown kind of document. Use report, form, test-result, inspection-record or rectification.",
            "未知的文档类型。可用：report、form、test-result、inspection-record、rectification。"),
    TAMPERED_PACKAGE(422, "The uploaded package is damaged or was altered; nothing was stored.",
            "上传的数据包已损坏或被篡改；未保存任何内容。"),
    SIGNER_NOT_CALLER(422, "The package is signed by someone other than you; only your own signed documents can be submitted.",
            "数据包的签名者不是您本人；只能提交您自己签名的文档。"),
    NOT_SEALED_TO_ARCHIVE(422, "The package is not encrypted to this server's archive key; seal it to archive.crt.",
            "数据包未加密给本服务器的归档密钥；请使用 archive.crt 加密。"),
    UNTRUSTED_SIGNER(422, "The package's signer certificate is not trusted (not from this CA, expired or revoked).",
            "数据包签名者的证书不受信任（非本 CA 签发、已过期或已吊销）。"),
    BAD_FILE_NAME(422, "The file name signed in the package is not acceptable (a folder, control or direction characters, "
            + "nothing visible, or over 255 bytes); rename the file and submit again. Nothing was stored.",
            "数据包中签署的文件名不可接受（含目录、控制字符或文字方向字符、无可见字符，或超过 255 字节）；请重命名文件后重新提交。未保存任何内容。"),
    REQUEST_TOO_SLOW(408, "The upload arrived too slowly and was stopped; check the network and send again.",
            "上传速度过慢，已被中止；请检查网络后重新发送。"),
    INSUFFICIENT_STORAGE(507, "The server's storage is full; nothing was stored. Send it again later, and tell the server's operators.",
            "服务器存储空间已满；未保存任何内容。请稍后重新发送，并通知服务器运维人员。"),
    BODY_TOO_LARGE(413, "The upload is larger than this server accepts.", "上传内容超过服务器允许的大小。"),
    UNKNOWN_AREA(400, "The campaign has no such check area. 'midang status --json' lists each campaign's areas (id and name).",
            "该检查工作没有这个检查内容。'midang status --json' 列出各检查工作的检查内容（编号和名称）。"),
    INVALID_CAMPAIGN(400, "The campaign file does not define a campaign; each problem is listed with its line.",
            "检查工作定义文件有误；每个问题都列出了所在行。"),
    CAMPAIGN_EXISTS(409, "A campaign with this id already exists; choose another id.", "已存在相同编号的检查工作；请换一个编号。"),
    WRONG_STATE(409, "The campaign is not at the step before this one; each step follows the last (midang status shows where it is).",
            "检查工作不处于此步骤的前一步；各步骤须依次进行（midang status 可查看当前所处步骤）。"),
    INVALID_DATES(400, "The campaign's new dates are not possible; each problem is listed. Nothing was changed.",
            "检查工作的新日期不可行；每个问题都已列出。未做任何更改。"),
    PRECONDITION_FAILED(409, "A condition for this step is not met yet; the reason is listed.", "此步骤的前提条件尚未满足；原因见下。"),
    BAD_STATEMENT(422, "The signed statement is not signed by you, or names another campaign or step.",
            "签署的声明不是由您签署，或与检查工作、步骤不符。"),
    UNKNOWN_FINDING(400, "A rectification report names one of your unit's findings (midang finding list --campaign C shows them).",
            "整改报告须注明所针对的本单位问题编号（midang finding list --campaign C 可查看）。"),
    INVALID_FINDING(400, "The finding is incomplete or wrong; each problem is listed.", "问题记录不完整或有误；每个问题都已列出。"),
    NO_SUMMARY(409, "No summary has been generated for this campaign yet (midang summary generate).",
            "该检查工作尚未生成汇总（midang summary generate）。"),
    SUMMARY_CHANGED(409, "The summary you signed is not the current one; fetch the current summary, read it and sign again.",
            "您签署的不是当前的汇总；请获取当前汇总，核对后重新签署。"),
    ALREADY_SIGNED(409, "Your department has already signed this summary.", "贵部门已签署过该汇总。"),
    BAD_SUMMARY_SIGNATURE(422, "The signature does not verify over the summary's bytes with your certificate.",
            "该签名不能以您的证书在汇总内容上验证通过。"),
    NOT_A_DEPARTMENT(403, "Your organisation is not one of the campaign's joint-review departments.",
            "贵单位不是该检查工作的共同审定部门。"),
    NO_RESULTS(409, "The campaign's results have not been published yet.", "该检查工作的结果尚未公布。"),
    UNKNOWN_CAMPAIGN(404, "There is no such campaign.", "没有这个检查工作。"),
    CAMPAIGN_CLOSED(409, "The campaign is not accepting submissions now.", "该检查工作目前不接收提交。"),
    UNIT_NOT_IN_SCOPE(403, "This unit is not in the campaign's scope.", "该单位不在本次检查范围内。"),
    NOT_PERMITTED(403, "Your role may not do this.", "您的角色无权执行此操作。"),
    NOT_ASSIGNED(403, "You are not assigned to this campaign; ask the administrator to assign you.",
            "您未被分配到该检查工作；请联系管理员分配。"),
    NO_ENGAGEMENT(403, "No engagement of your organisation covers this unit at this time.",
            "贵机构目前没有涵盖该单位的有效委托。"),
    RETENTION_PERMIT_REQUIRED(403, "Testing bodies may not read back results without a valid retention permit from the lead office.",
            "未经牵头部门签发有效的留存许可，检测机构不得读取检测结果。"),
    PERMIT_OUT_OF_SCOPE(403, "A retention permit covers only test results that this testing body handed in under its own "
            + "engagements; the ids that are not are listed.",
            "留存许可只能涵盖该检测机构在其委托范围内提交的检测结果；不符合的编号已列出。"),
    ALREADY_ATTESTED(409, "A destruction attestation was already filed for this engagement.", "该委托的销毁声明已提交过。"),
    BAD_ATTESTATION(422, "The destruction attestation is not signed by you or does not name this engagement.",
            "销毁声明不是由您签署，或与该委托不符。"),
    LOG_ENTRY_PENDING(409, "The statement is not in the transparency log yet: the log takes it in at its next round "
            + "(log.round-seconds); ask again after that.", "该记录尚未纳入透明日志：日志将在下一轮（log.round-seconds）纳入；请稍后再查询。"),
    LOG_ENTRY_UNKNOWN(404, "The transparency log has no such entry. If it comes from a receipt or signature this server issued, "
            + "the server did not log what it attested: keep the receipt and report it to the joint-review departments.",
            "透明日志中没有该记录。如果它来自本服务器签发的回执或签名，说明服务器未将其证明的内容记入日志：请保留回执并报告共同审定部门。"),
    LOG_NO_SUCH_TREE(404, "The transparency log has signed no checkpoint of that size, or the tile is beyond its tree.",
            "透明日志没有签署过该大小的检查点，或所请求的分片超出日志树的范围。"),
    BAD_COSIGNATURE(422, "The cosignature does not verify over that checkpoint with your certificate.",
            "该联署签名不能以您的证书在该检查点上验证通过。"),
    ALREADY_COSIGNED(409, "You have already cosigned this checkpoint.", "您已联署过该检查点。"),
    SEALED(503, "The archive is sealed: it opens when enough of the joint-review departments' key holders have unsealed it "
            + "(midang unseal --share FILE); nothing was done.",
            "档案库处于封存状态：须由足够数量的共同审定部门密钥持有人解封（midang unseal --share 份额文件）后方可使用；未执行任何操作。"),
    NOT_SEALED(409, "The archive is not sealed; there is nothing to unseal.", "档案库未封存，无需解封。"),
    NOT_A_KEY_HOLDER(403, "The share was delivered by someone who does not hold a share of this archive's key.",
            "提交份额者不是本档案库密钥份额的持有人。"),
    BAD_SHARE(422, "The key share does not open with this start's one-time key (a share delivered to an earlier start), was "
            + "changed on the way, or is not a share of this archive's key; nothing was changed. Run midang unseal again.",
            "该密钥份额无法用本次启动的一次性密钥打开（可能是提交给先前启动的份额）、在传输中被改动，或不属于本档案库的密钥；未做任何更改。请重新运行 midang unseal。"),
    SHARE_ALREADY_IN(409, "Your share is already in for this start of the server.", "您的份额已在本次启动中提交过。"),
    REKEY_NOT_AGREED(409, "This unsealing replaces the archive key and its holders (a rekey the operator began); a share counts "
            + "only with its holder's agreement to the next key: check the plan (midang unseal shows it) and run midang unseal "
            + "--agree-rekey ID, or ask the operator to cancel the rekey. Nothing was changed.",
            "本次解封将更换档案库密钥及其持有人（运维人员发起的密钥更换）；份额须附持有人对新密钥的同意方可计入：请核对计划（midang unseal 会显示），"
            + "然后运行 midang unseal --agree-rekey 标识，或请运维人员取消密钥更换。未做任何更改。"),
    AUDIT_UNAVAILABLE(503, "The audit log cannot be written, so nothing can be done now; the operator has been alerted.",
            "审计日志无法写入，因此当前无法执行任何操作；已通知运维人员。"),
    MALFORMED_HTTP(400, "The request is not valid HTTP, or its path is ambiguous (such as //, an encoded .. or /, or %00); "
            + "nothing was done.", "请求不是有效的 HTTP，或路径有歧义（如 //、编码的 .. 或 /、%00）；未执行任何操作。"),
    HEADERS_TOO_LARGE(431, "The request's headers or address are too long (at most 16 KiB); nothing was done.",
            "请求头或地址过长（最多 16 KiB）；未执行任何操作。"),
    HTTP_VERSION_NOT_SUPPORTED(505, "This version of HTTP is not served here; use HTTP/1.1.", "此处不支持该 HTTP 版本；请使用 HTTP/1.1。"),
    UNAVAILABLE(503, "The server is too busy or stopping; try again shortly.", "服务器繁忙或正在停止；请稍后再试。"),
    NOT_FOUND(404, "Not found.", "未找到。"),
    METHOD_NOT_ALLOWED(405, "This method is not allowed here.", "此处不允许该方法。"),
    INTERNAL(500, "The server could not complete the request; it has been logged. Try again later.",
            "服务器无法完成请求，已记录。请稍后再试。");

    public final int status;
    public final String message;
    public final String messageZh;

    ErrorCode(int status, String message, String messageZh) {
        this.status = status;
        this.message = message;
        this.messageZh = messageZh;
    }

    /** The stable code clients see, e.g. {@code bad_signature}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
