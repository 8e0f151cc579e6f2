/* hello.c - the dynamic fixtures: a libc program (printf through the C library, so the
 * dynamic linker, libc start-up and relocation processing all have to work).
 * FIXTURE_NAME is a string literal given on the command line (-DFIXTURE_NAME='"..."').
 */
#include <stdio.h>
#include <stdlib.h>

#ifndef FIXTURE_NAME
#error "build with -DFIXTURE_NAME='\"name\"'"
#endif

static const char *const fixture_name = FIXTURE_NAME;

int main(void)
{
    if (printf("fixture: %s ok\n", fixture_name) < 0 || fflush(stdout) != 0)
        return EXIT_FAILURE;
    return EXIT_SUCCESS;
}
