/* Declarations of a C file, for the C/C++ driver's kept items (tests/test_native_reuse.py). */
#include <stdio.h>
#include <stdlib.h>

#define BUFFER 64
#define MAX(a, b) ((a) > (b) ? (a) : (b))

struct node {
    int value;
    struct node *next;
};

typedef enum { EMPTY, FULL } state_t;

static struct node *head = NULL;

/* Puts a value first in the list. */
static int push(int value) {
    struct node *item = malloc(sizeof *item);
    if (item == NULL) {
        return -1;
    }
    item->value = value;
    item->next = head;
    head = item;
    return 0;
}

int largest(void) {
    int best = 0;
    for (struct node *at = head; at != NULL; at = at->next) {
        best = MAX(best, at->value);
    }
    return best;
}

int main(int argc, char **argv) {
    char buffer[BUFFER];
    for (int i = 1; i < argc; i++) {
        push(atoi(argv[i]));
    }
    snprintf(buffer, sizeof buffer, "%d", largest());
    puts(buffer);
    return head == NULL ? EMPTY : FULL;
}
