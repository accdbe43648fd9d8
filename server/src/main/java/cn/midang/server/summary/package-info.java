/**
 * After the inspection (SPEC §1 六): the summary (汇总) generated from forms and findings as JSON,
 * .xlsx and .docx; its joint review, one SM2 signature per department over the exact JSON bytes;
 * and the per-unit result notices the server signs when the campaign is published.
 */
package cn.midang.server.summary;
