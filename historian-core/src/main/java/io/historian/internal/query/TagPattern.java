package io.historian.internal.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Glob patterns over tag names: {@code *} matches any run of characters (also none), {@code ?}
 * exactly one; everything else matches itself (tag names cannot hold {@code *} or {@code ?}).
 */
public final class TagPattern {
    private TagPattern() {
    }

    /** Whether {@code name} contains a pattern character. */
    public static boolean isPattern(String name) {
        return name.indexOf('*') >= 0 || name.indexOf('?') >= 0;
    }

    /** The names that match, in the given order. */
    public static List<String> select(String pattern, List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (matches(pattern, n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Glob matching with backtracking over the last {@code *}: linear in practice. */
    public static boolean matches(String pattern, String name) {
        int p = 0;
        int s = 0;
        int star = -1;
        int mark = 0;
        while (s < name.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == name.charAt(s))
                    && pattern.charAt(p) != '*') {
                p++;
                s++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = s;
            } else if (star >= 0) {
                p = star + 1;
                s = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
