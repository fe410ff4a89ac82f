# AX_CHECK_FLAG_SIMPLE(FLAG): append FLAG to OC_WARN_CFLAGS when the C compiler accepts it.
AC_DEFUN([AX_CHECK_FLAG_SIMPLE], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  oc_save_CFLAGS="$CFLAGS"
  CFLAGS="$CFLAGS -Werror $1"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); OC_WARN_CFLAGS="$OC_WARN_CFLAGS $1"],
    [AC_MSG_RESULT([no])])
  CFLAGS="$oc_save_CFLAGS"
])
