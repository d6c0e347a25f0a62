/*
 * app.h - the program: owns every module, runs the frame loop on the main
 * (render) thread.
 */
#ifndef TESSERA_APP_H
#define TESSERA_APP_H

/* Runs tessera with this command line; returns the process exit status. */
int app_main(int argc, char **argv);

#endif
