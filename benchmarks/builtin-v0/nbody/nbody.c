/* Gravitational N-body simulation. Bodies are read from stdin
 * ("name mass x y z vx vy vz"), then integrated with three schemes:
 * velocity Verlet, leapfrog (kick-drift-kick) and symplectic Euler,
 * reporting energy drift, momentum and angular momentum. A softened
 * pairwise force and a simple close-encounter counter are included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#define MAXB 64
#define G 1.0
#define SOFT2 1e-6

typedef struct { double x, y, z; } vec3;

typedef struct {
    char name[16];
    double m;
    vec3 p, v, a;
} body_t;

typedef struct {
    int n;
    body_t b[MAXB];
    long encounters;
} system_t;

static vec3 v_add(vec3 a, vec3 b) { vec3 r = { a.x + b.x, a.y + b.y, a.z + b.z }; return r; }
static vec3 v_sub(vec3 a, vec3 b) { vec3 r = { a.x - b.x, a.y - b.y, a.z - b.z }; return r; }
static vec3 v_scale(vec3 a, double s) { vec3 r = { a.x * s, a.y * s, a.z * s }; return r; }
static double v_dot(vec3 a, vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static vec3 v_cross(vec3 a, vec3 b) {
    vec3 r = { a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x };
    return r;
}

static void compute_accel(system_t *s) {
    for (int i = 0; i < s->n; i++) s->b[i].a = (vec3){ 0, 0, 0 };
    for (int i = 0; i < s->n; i++)
        for (int j = i + 1; j < s->n; j++) {
            vec3 d = v_sub(s->b[j].p, s->b[i].p);
            double r2 = v_dot(d, d) + SOFT2;
            if (r2 < 0.01) s->encounters++;
            double inv = 1.0 / (r2 * sqrt(r2));
            s->b[i].a = v_add(s->b[i].a, v_scale(d, G * s->b[j].m * inv));
            s->b[j].a = v_sub(s->b[j].a, v_scale(d, G * s->b[i].m * inv));
        }
}

static double kinetic(const system_t *s) {
    double e = 0;
    for (int i = 0; i < s->n; i++) e += 0.5 * s->b[i].m * v_dot(s->b[i].v, s->b[i].v);
    return e;
}
static double potential(const system_t *s) {
    double e = 0;
    for (int i = 0; i < s->n; i++)
        for (int j = i + 1; j < s->n; j++) {
            vec3 d = v_sub(s->b[j].p, s->b[i].p);
            e -= G * s->b[i].m * s->b[j].m / sqrt(v_dot(d, d) + SOFT2);
        }
    return e;
}
static vec3 momentum(const system_t *s) {
    vec3 p = { 0, 0, 0 };
    for (int i = 0; i < s->n; i++) p = v_add(p, v_scale(s->b[i].v, s->b[i].m));
    return p;
}
static vec3 angular(const system_t *s) {
    vec3 l = { 0, 0, 0 };
    for (int i = 0; i < s->n; i++) l = v_add(l, v_scale(v_cross(s->b[i].p, s->b[i].v), s->b[i].m));
    return l;
}

static void to_com_frame(system_t *s) {
    double mt = 0; vec3 cp = { 0, 0, 0 }, cv = { 0, 0, 0 };
    for (int i = 0; i < s->n; i++) {
        mt += s->b[i].m;
        cp = v_add(cp, v_scale(s->b[i].p, s->b[i].m));
        cv = v_add(cv, v_scale(s->b[i].v, s->b[i].m));
    }
    cp = v_scale(cp, 1.0 / mt); cv = v_scale(cv, 1.0 / mt);
    for (int i = 0; i < s->n; i++) { s->b[i].p = v_sub(s->b[i].p, cp); s->b[i].v = v_sub(s->b[i].v, cv); }
}

static void step_verlet(system_t *s, double dt) {
    for (int i = 0; i < s->n; i++) {
        body_t *b = &s->b[i];
        b->p = v_add(b->p, v_add(v_scale(b->v, dt), v_scale(b->a, 0.5 * dt * dt)));
        b->v = v_add(b->v, v_scale(b->a, 0.5 * dt));
    }
    compute_accel(s);
    for (int i = 0; i < s->n; i++) s->b[i].v = v_add(s->b[i].v, v_scale(s->b[i].a, 0.5 * dt));
}

static void step_leapfrog(system_t *s, double dt) {
    for (int i = 0; i < s->n; i++) s->b[i].v = v_add(s->b[i].v, v_scale(s->b[i].a, 0.5 * dt));
    for (int i = 0; i < s->n; i++) s->b[i].p = v_add(s->b[i].p, v_scale(s->b[i].v, dt));
    compute_accel(s);
    for (int i = 0; i < s->n; i++) s->b[i].v = v_add(s->b[i].v, v_scale(s->b[i].a, 0.5 * dt));
}

static void step_euler(system_t *s, double dt) {
    compute_accel(s);
    for (int i = 0; i < s->n; i++) s->b[i].v = v_add(s->b[i].v, v_scale(s->b[i].a, dt));
    for (int i = 0; i < s->n; i++) s->b[i].p = v_add(s->b[i].p, v_scale(s->b[i].v, dt));
}

/* suppress round-off noise (and the sign of zero) in conserved quantities */
static double tidy(double x) { return fabs(x) < 5e-7 ? 0.0 : x; }

typedef void (*stepper)(system_t *, double);

static void simulate(const char *name, const system_t *init, stepper fn, double dt, int steps) {
    static system_t s;
    memcpy(&s, init, sizeof s);
    s.encounters = 0;
    compute_accel(&s);
    double e0 = kinetic(&s) + potential(&s);
    vec3 l0 = angular(&s);
    double maxdrift = 0;
    for (int k = 1; k <= steps; k++) {
        fn(&s, dt);
        if (k % 50 == 0) {
            double e = kinetic(&s) + potential(&s);
            double d = fabs((e - e0) / e0);
            if (d > maxdrift) maxdrift = d;
        }
    }
    double e1 = kinetic(&s) + potential(&s);
    vec3 p = momentum(&s), l = angular(&s);
    printf("[%s] dt=%.4f steps=%d\n", name, dt, steps);
    printf("  energy %.9f -> %.9f  rel.drift %.3e (max %.3e)\n", e0, e1, fabs((e1 - e0) / e0), maxdrift);
    printf("  |P|=%.6f  dLz=%.6f  close-encounters=%ld\n", sqrt(v_dot(p, p)), tidy(l.z - l0.z), s.encounters);
    int far = 0; double fd = 0;
    for (int i = 0; i < s.n; i++) {
        double r = sqrt(v_dot(s.b[i].p, s.b[i].p));
        if (r > fd) { fd = r; far = i; }
    }
    printf("  farthest %s at r=%.6f\n", s.b[far].name, fd);
    for (int i = 0; i < s.n && i < 4; i++)
        printf("  %-8s pos (%.6f, %.6f, %.6f)\n", s.b[i].name, s.b[i].p.x, s.b[i].p.y, s.b[i].p.z);
}

int main(void) {
    static system_t sys;
    double dt; int steps;
    if (scanf("%lf %d", &dt, &steps) != 2) return 1;
    sys.n = 0;
    body_t b;
    while (sys.n < MAXB && scanf("%15s %lf %lf %lf %lf %lf %lf %lf", b.name, &b.m, &b.p.x, &b.p.y, &b.p.z,
                                 &b.v.x, &b.v.y, &b.v.z) == 8) {
        b.a = (vec3){ 0, 0, 0 };
        sys.b[sys.n++] = b;
    }
    printf("%d bodies\n", sys.n);
    to_com_frame(&sys);
    simulate("verlet", &sys, step_verlet, dt, steps);
    simulate("leapfrog", &sys, step_leapfrog, dt, steps);
    simulate("euler", &sys, step_euler, dt, steps);
    simulate("verlet-half", &sys, step_verlet, dt * 0.5, steps * 2);
    return 0;
}
