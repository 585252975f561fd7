/* Expression calculator driver. Each input line is one command:
 *   NAME = EXPR     evaluate and bind a variable
 *   ? EXPR          print the parsed, simplified form and its value
 *   d VAR EXPR      symbolic derivative, simplified, and its value
 *   table VAR A B N EXPR   tabulate EXPR for VAR in [A,B] (N steps), print checksum
 * Lines starting with '#' are comments.                               */
#include "expr.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <ctype.h>

static unsigned long mix(unsigned long h, const char *s) {
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211UL;
    return h;
}

static expr *simplify(expr *e, int *rounds) {
    int ch;
    *rounds = 0;
    do { ch = 0; e = fold(e, &ch); (*rounds)++; } while (ch && *rounds < 20);
    return e;
}

int main(void) {
    char line[512], err[128], pbuf[512], sbuf[512];
    env_t env = { .n = 0 };
    int lines = 0, errors = 0;
    unsigned long h = 1469598103934665603UL;
    long total_nodes_before = 0, total_nodes_after = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *s = line;
        while (isspace((unsigned char)*s)) s++;
        if (!*s || *s == '#') continue;
        lines++;
        if (s[0] == '?' ) {
            expr *e = parse_expression(s + 1, err, sizeof err);
            if (!e) { printf("parse error: %s\n", err); errors++; continue; }
            expr_print(e, pbuf, sizeof pbuf);
            expr *c = expr_clone(e);
            int rounds;
            int before = expr_size(c);
            c = simplify(c, &rounds);
            expr_print(c, sbuf, sizeof sbuf);
            double v1, v2;
            int ok1 = evaluate(e, &env, &v1, err, sizeof err);
            int ok2 = evaluate(c, &env, &v2, err, sizeof err);
            total_nodes_before += before;
            total_nodes_after += expr_size(c);
            h = mix(h, pbuf); h = mix(h, sbuf);
            if (strcmp(pbuf, sbuf) == 0) printf("%s", pbuf);
            else printf("%s  =>  %s", pbuf, sbuf);
            if (ok1 && ok2) printf("  = %.6f%s\n", v1, v1 == v2 || (v1 - v2 < 1e-9 && v2 - v1 < 1e-9) ? "" : " (MISMATCH)");
            else { printf("  error: %s\n", err); errors++; }
            expr_free(e); expr_free(c);
        } else if (s[0] == 'd' && s[1] == ' ') {
            char var[32];
            int n = 0;
            if (sscanf(s + 2, "%31s %n", var, &n) != 1) continue;
            expr *e = parse_expression(s + 2 + n, err, sizeof err);
            if (!e) { printf("parse error: %s\n", err); errors++; continue; }
            expr *d = derive(e, var);
            int rounds;
            int raw = expr_size(d);
            d = simplify(d, &rounds);
            expr_print(e, pbuf, sizeof pbuf);
            expr_print(d, sbuf, sizeof sbuf);
            h = mix(h, sbuf);
            double v;
            printf("d/d%s %s = %s  [%d->%d nodes]", var, pbuf, sbuf, raw, expr_size(d));
            if (evaluate(d, &env, &v, err, sizeof err)) printf(" = %.6f\n", v);
            else printf(" (%s)\n", err);
            expr_free(e); expr_free(d);
        } else if (strncmp(s, "table ", 6) == 0) {
            char var[32];
            double a, b;
            int steps, n = 0;
            if (sscanf(s + 6, "%31s %lf %lf %d %n", var, &a, &b, &steps, &n) != 4 || steps <= 0) continue;
            expr *e = parse_expression(s + 6 + n, err, sizeof err);
            if (!e) { printf("parse error: %s\n", err); errors++; continue; }
            env_t local = env;
            double sum = 0, mn = 1e300, mx = -1e300;
            int fails = 0;
            for (int i = 0; i <= steps; i++) {
                double x = a + (b - a) * i / steps, v;
                env_set(&local, var, x);
                if (!evaluate(e, &local, &v, err, sizeof err)) { fails++; continue; }
                sum += v;
                if (v < mn) mn = v;
                if (v > mx) mx = v;
            }
            expr_print(e, pbuf, sizeof pbuf);
            printf("table %s: sum=%.6f min=%.6f max=%.6f fails=%d\n", pbuf, sum, mn, mx, fails);
            expr_free(e);
        } else {
            char *eq = strchr(s, '=');
            if (!eq || eq[1] == '=') { printf("bad command: %s\n", s); errors++; continue; }
            char name[32];
            if (sscanf(s, " %31[A-Za-z_0-9]", name) != 1) { printf("bad name\n"); errors++; continue; }
            expr *e = parse_expression(eq + 1, err, sizeof err);
            if (!e) { printf("parse error: %s\n", err); errors++; continue; }
            double v;
            if (evaluate(e, &env, &v, err, sizeof err)) env_set(&env, name, v);
            else { printf("%s: %s\n", name, err); errors++; }
            expr_free(e);
        }
    }
    printf("lines=%d errors=%d vars=%d nodes %ld->%ld leaked=%ld hash=%016lx\n", lines, errors, env.n,
           total_nodes_before, total_nodes_after, live_nodes, h);
    return 0;
}
