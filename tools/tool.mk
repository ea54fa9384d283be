# The build of one of our tools, each a single C file plus lib/tool.h. A
# tool's Makefile sets TOOL and includes this file. O= puts the binary
# elsewhere (the scripts use build/<tool>/).
TOOLS_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
O ?= .
CFLAGS ?= -O2 -g -Wall -Wextra -Werror

$(O)/$(TOOL): $(TOOL).c $(TOOLS_DIR)lib/tool.h
	$(CC) $(CFLAGS) -o $@ $<

.PHONY: clean
clean:
	rm -f $(O)/$(TOOL)
