/** {@code midang key}: a user's own key (gen with a certification request, install the issued certificate). */
package cn.midang.cli.key;
