# elfload.gdb: gdb commands for programs started by elfload. elfload-gdb
# loads this file, sets $elfload_program (the program's path, escaped as
# one argument of `file`) and, for qemu-user, $elfload_port and
# $elfload_base, and runs one of the two commands.
#
# Both run elfload --stop-at-entry to its stop (a SIGTRAP once the program
# is mapped, right before its first instruction), then make gdb see the
# program where elfload put it.

define elfload-run
  set confirm off
  run
  # The program becomes the executable: gdb reads the (rewritten)
  # /proc/PID/auxv again, relocates a PIE by its AT_ENTRY, finds the
  # interpreter by PT_INTERP and AT_BASE and follows shared libraries.
  eval "file %s", $elfload_program
  set confirm on
  echo elfload: stopped before the program's first instruction\n
end
document elfload-run
Run elfload (the inferior) to its --stop-at-entry stop and switch to
the program's symbols.
end

define elfload-qemu
  set confirm off
  eval "target remote 127.0.0.1:%d", $elfload_port
  continue
  # qemu-user reports its own auxiliary vector, not the program's. A
  # fixed-address program needs none of it: it becomes the executable, and
  # gdb follows its shared libraries. A PIE's symbols go to the base
  # elfload --map planned.
  if $_streq($elfload_base, "0")
    eval "file %s", $elfload_program
  else
    eval "add-symbol-file %s -o %s", $elfload_program, $elfload_base
  end
  set confirm on
  echo elfload: stopped before the program's first instruction\n
end
document elfload-qemu
Attach to elfload under qemu-user -g, run it to its --stop-at-entry
stop and add the program's symbols at its load address.
end
