/* huffcode.c: length-limited Huffman code construction, canonical code
 * assignment and a canonical (count/symbol) decoder. */
#include <string.h>
#include "deflate.h"

typedef struct {
    uint32_t weight;
    int16_t left, right;
    int16_t sym;
} hnode;

static int node_before(const hnode *nodes, int a, int b)
{
    if (nodes[a].weight != nodes[b].weight) return nodes[a].weight < nodes[b].weight;
    return a < b;
}

static void sift_down(int *heap, int size, int i, const hnode *nodes)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < size && node_before(nodes, heap[l], heap[m])) m = l;
        if (r < size && node_before(nodes, heap[r], heap[m])) m = r;
        if (m == i) return;
        int t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

static void sift_up(int *heap, int i, const hnode *nodes)
{
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!node_before(nodes, heap[i], heap[p])) return;
        int t = heap[i];
        heap[i] = heap[p];
        heap[p] = t;
        i = p;
    }
}

static void depth_walk(const hnode *nodes, int root, uint8_t *len)
{
    int stack[2 * MAX_SYMS], depth[2 * MAX_SYMS], sp = 0;
    stack[sp] = root;
    depth[sp++] = 0;
    while (sp > 0) {
        sp--;
        int n = stack[sp], d = depth[sp];
        if (nodes[n].sym >= 0) {
            len[nodes[n].sym] = (uint8_t)(d > 0 ? (d > 255 ? 255 : d) : 1);
        } else {
            stack[sp] = nodes[n].left;
            depth[sp++] = d + 1;
            stack[sp] = nodes[n].right;
            depth[sp++] = d + 1;
        }
    }
}

/* Repair the Kraft sum after clamping to maxbits, zlib-style: move leaves
 * down from maxbits-1 levels, using the bit-length histogram. */
static void limit_lengths(const uint32_t *freq, int n, int maxbits, uint8_t *len)
{
    int bl_count[256];
    memset(bl_count, 0, sizeof bl_count);
    int overflow = 0;
    for (int s = 0; s < n; s++) {
        if (!len[s]) continue;
        if (len[s] > maxbits) {
            len[s] = (uint8_t)maxbits;
            overflow = 1;
        }
        bl_count[len[s]]++;
    }
    if (!overflow) return;
    /* kraft in units of 2^-maxbits */
    long kraft = 0;
    for (int b = 1; b <= maxbits; b++) kraft += (long)bl_count[b] << (maxbits - b);
    long limit = 1L << maxbits;
    while (kraft > limit) {
        /* find deepest level < maxbits with a leaf: push one leaf down */
        int b = maxbits - 1;
        while (b > 0 && bl_count[b] == 0) b--;
        if (b == 0) break;
        bl_count[b]--;
        bl_count[b + 1]++;
        kraft -= 1L << (maxbits - b - 1);
    }
    /* reassign lengths: sort used symbols by frequency (desc), give shortest
     * lengths to the most frequent symbols */
    int order[MAX_SYMS], m = 0;
    for (int s = 0; s < n; s++) if (len[s]) order[m++] = s;
    for (int i = 1; i < m; i++) {
        int v = order[i], j = i - 1;
        while (j >= 0 && (freq[order[j]] < freq[v] || (freq[order[j]] == freq[v] && order[j] > v))) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = v;
    }
    int k = 0;
    /* an over-correction leaves the code incomplete: lift leaves up again */
    while (kraft < limit) {
        int b = maxbits;
        while (b > 1 && (bl_count[b] == 0 || (1L << (maxbits - b)) > limit - kraft)) b--;
        if (b <= 1) break;
        bl_count[b]--;
        bl_count[b - 1]++;
        kraft += 1L << (maxbits - b);
    }
    for (int b = 1; b <= maxbits; b++)
        for (int c = 0; c < bl_count[b]; c++) len[order[k++]] = (uint8_t)b;
}

void huff_build_lengths(const uint32_t *freq, int n, int maxbits, uint8_t *len)
{
    hnode nodes[2 * MAX_SYMS];
    int heap[MAX_SYMS];
    int hs = 0, nn = 0;
    memset(len, 0, (size_t)n);
    for (int s = 0; s < n; s++) {
        if (!freq[s]) continue;
        nodes[nn].weight = freq[s];
        nodes[nn].left = nodes[nn].right = -1;
        nodes[nn].sym = (int16_t)s;
        heap[hs++] = nn;
        sift_up(heap, hs - 1, nodes);
        nn++;
    }
    if (hs == 0) return;
    if (hs == 1) {
        len[nodes[heap[0]].sym] = 1;
        return;
    }
    while (hs > 1) {
        int a = heap[0];
        heap[0] = heap[--hs];
        sift_down(heap, hs, 0, nodes);
        int b = heap[0];
        heap[0] = heap[--hs];
        sift_down(heap, hs, 0, nodes);
        nodes[nn].weight = nodes[a].weight + nodes[b].weight;
        nodes[nn].left = (int16_t)a;
        nodes[nn].right = (int16_t)b;
        nodes[nn].sym = -1;
        heap[hs++] = nn;
        sift_up(heap, hs - 1, nodes);
        nn++;
    }
    depth_walk(nodes, heap[0], len);
    limit_lengths(freq, n, maxbits, len);
}

void huff_assign_codes(huff_enc *e, const uint8_t *len, int n)
{
    uint16_t bl_count[MAX_CODE_BITS + 1], next[MAX_CODE_BITS + 2];
    memset(bl_count, 0, sizeof bl_count);
    e->n = n;
    for (int s = 0; s < n; s++) {
        e->len[s] = len[s];
        bl_count[len[s]]++;
    }
    bl_count[0] = 0;
    uint16_t code = 0;
    next[0] = 0;
    for (int b = 1; b <= MAX_CODE_BITS; b++) {
        code = (uint16_t)((code + bl_count[b - 1]) << 1);
        next[b] = code;
    }
    for (int s = 0; s < n; s++) e->code[s] = len[s] ? next[len[s]]++ : 0;
}

int huff_dec_build(huff_dec *d, const uint8_t *len, int n)
{
    uint16_t offs[MAX_CODE_BITS + 1];
    memset(d->count, 0, sizeof d->count);
    for (int s = 0; s < n; s++) d->count[len[s]]++;
    if (d->count[0] == n) return 0;
    int left = 1;
    for (int b = 1; b <= MAX_CODE_BITS; b++) {
        left <<= 1;
        left -= d->count[b];
        if (left < 0) return -1;
    }
    offs[1] = 0;
    for (int b = 1; b < MAX_CODE_BITS; b++) offs[b + 1] = (uint16_t)(offs[b] + d->count[b]);
    for (int s = 0; s < n; s++)
        if (len[s]) d->symbol[offs[len[s]]++] = (uint16_t)s;
    return left;
}

int huff_decode(bit_reader *r, const huff_dec *d)
{
    int code = 0, first = 0, index = 0;
    for (int b = 1; b <= MAX_CODE_BITS; b++) {
        code |= (int)br_bits(r, 1);
        int count = d->count[b];
        if (code - count < first) return d->symbol[index + (code - first)];
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
        if (r->overrun) return -1;
    }
    return -2;
}
