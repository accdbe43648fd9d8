package cn.midang.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A reproducible corpus of Chinese self-inspection reports: each document mixes sentences of the
 * notice's own wording (check areas, procedure, goals) with findings about a unit — the kind of
 * text inspectors search. Same seed, same corpus.
 */
final class ChineseCorpus {

    static final List<String> UNITS = List.of("市信息产业办", "市公安局", "市保密局", "市电子政务网络管理中心", "市市场监督管理局", "市财政局",
            "市人力资源和社会保障局", "市卫生健康委员会", "市自然资源和规划局", "红塔区", "江川区", "澄江市", "通海县", "华宁县", "易门县", "峨山县",
            "新平县", "元江县");

    static final List<String> AREAS = List.of("组织机构建设情况", "安全制度落实情况", "安全防范措施落实情况", "应急响应机制建设情况",
            "信息技术产品和服务国产化情况", "密码技术与产品使用情况", "安全教育培训情况", "责任追究情况", "安全隐患排查及整改情况");

    static final List<String> FINDINGS = List.of("未使用国产密码产品", "应急预案未演练", "涉密计算机违规连接互联网", "弱口令长期未整改",
            "移动存储介质未登记", "安全审计日志未留存", "机房门禁系统未启用", "病毒库长期未更新", "网站存在注入漏洞", "数据备份未异地存放",
            "离职人员账号未注销", "无线网络未加密", "打印机未设访问控制", "信息安全管理制度未及时修订", "未开展等级保护测评", "防火墙策略过于宽松",
            "办公系统补丁未及时安装", "外包服务人员未签订保密协议", "安全责任人未明确", "安全教育培训未覆盖全体人员");

    static final List<String> NOTICE = List.of(
            "通过开展政府信息系统安全检查工作，及时掌握我市政府信息系统安全现状和面临的问题", "认真查找隐患，堵塞安全漏洞，完善安全措施，减少安全风险",
            "提高应急处置能力，加强信息安全意识，确保政府信息系统持续安全稳定运行", "建立完善长效检查督促机制，使各项工作制度化、日常化和规范化",
            "本次政府信息系统安全检查工作由市信息化工作领导小组办公室牵头", "由市信息产业办会同市公安局、市保密局共同组织开展，市电子政务网络管理中心配合实施",
            "检查范围涉及市、县（区）二级为政府机关履行职能提供支撑的信息系统，包括办公系统、业务系统、网站系统等",
            "同时对重要行业和部门的业务应用系统进行重点抽查", "针对当前政府信息系统存在的薄弱环节，按照检查办法要求，重点检查以下内容",
            "本年度检查工作采取部门自查、重点抽查相结合的方式进行", "各单位应认真组织开展自查，如实填写报告表，按时报送自查报告",
            "检查中发现的问题应当及时整改，整改情况报市信息化工作领导小组办公室", "对检查工作不重视、敷衍塞责的单位予以通报批评");

    static final List<String> FOLLOW_UPS = List.of("已责成有关科室限期整改", "计划于下季度完成整改", "已制定整改方案并落实责任人", "整改工作正在推进",
            "需要上级部门协调解决", "已于检查期间完成整改");

    private ChineseCorpus() {}

    /** One document: about {@code sentences} sentences about one unit. */
    record Doc(String unit, String campaign, String text) {}

    static List<Doc> generate(int count, long seed) {
        Random r = new Random(seed);
        List<Doc> docs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String unit = pick(r, UNITS);
            StringBuilder b = new StringBuilder(unit).append("2009年度政府信息系统安全自查报告。");
            int sentences = 6 + r.nextInt(14);
            for (int k = 0; k < sentences; k++) {
                switch (r.nextInt(3)) {
                    case 0 -> b.append(pick(r, NOTICE)).append("。");
                    case 1 -> b.append("关于").append(pick(r, AREAS)).append("，").append(unit).append("检查发现")
                            .append(pick(r, FINDINGS)).append("，").append(pick(r, FOLLOW_UPS)).append("。");
                    default -> b.append("经自查，").append(pick(r, AREAS)).append("总体符合要求，共检查").append(1 + r.nextInt(40))
                            .append("台计算机，").append(r.nextInt(12)).append("个业务系统。");
                }
            }
            docs.add(new Doc(unit, r.nextInt(10) < 8 ? "yuxi-2009" : "yuxi-2010", b.toString()));
        }
        return docs;
    }

    /** Query terms: findings, areas, unit names, short words and single characters. */
    static List<String> queries() {
        List<String> q = new ArrayList<>(FINDINGS);
        q.addAll(AREAS);
        q.addAll(List.of("市场监督管理局", "红塔区", "保密局", "国产密码", "应急预案", "整改", "检查", "安全", "管理", "漏洞", "口令", "互联网", "等级保护",
                "责任人", "密", "漏"));
        return q;
    }

    private static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }
}
