/* The subcommands of the tandem program. */
#ifndef TANDEM_CLI_H
#define TANDEM_CLI_H

/* tandem ctl SOCKET COMMAND ['{json}'] | tandem ctl SOCKET --events */
int cmd_ctl(int argc, char **argv);
/* tandem console SOCKET */
int cmd_console(int argc, char **argv);

#endif
