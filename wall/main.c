/*
 * main.c - the tessera entry point: hands the command line to the app.
 */
#include "app/app.h"

int main(int argc, char **argv)
{
    return app_main(argc, argv);
}
