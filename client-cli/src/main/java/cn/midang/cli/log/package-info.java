/** {@code midang log} and {@code midang witness}: the archive's transparency log, checked, proved and cosigned (SPEC C7). */
package cn.midang.cli.log;
