/*
 * main.c - the tessera entry point: `tessera ctl ...` goes to the control
 * client, anything else to the app.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "ctl/ctl.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
        return ctl_main(argc - 1, argv + 1, stdout, stderr);
    return app_main(argc, argv);
}
