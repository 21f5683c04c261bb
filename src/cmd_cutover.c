#include "config.h"
#include "commands.h"
int cmd_cutover(int argc, char **argv, const char *prefix)
{
    (void)argc; (void)argv; (void)prefix;
    return 1;
}
