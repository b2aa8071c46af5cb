/* errno values as the words strerror(3) uses, for both stages: no
 * message of elfload's shows a bare number. */
#include "lib.h"

const char *errno_name(long err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:        return "Operation not permitted";
	case ENOENT:       return "No such file or directory";
	case EINTR:        return "Interrupted system call";
	case EIO:          return "Input/output error";
	case ENXIO:        return "No such device or address";
	case E2BIG:        return "Argument list too long";
	case ENOEXEC:      return "Exec format error";
	case EBADF:        return "Bad file descriptor";
	case EAGAIN:       return "Resource temporarily unavailable";
	case ENOMEM:       return "Cannot allocate memory";
	case EACCES:       return "Permission denied";
	case EFAULT:       return "Bad address";
	case EBUSY:        return "Device or resource busy";
	case EEXIST:       return "File exists";
	case ENODEV:       return "No such device";
	case ENOTDIR:      return "Not a directory";
	case EISDIR:       return "Is a directory";
	case EINVAL:       return "Invalid argument";
	case ENFILE:       return "Too many open files in system";
	case EMFILE:       return "Too many open files";
	case ETXTBSY:      return "Text file busy";
	case EFBIG:        return "File too large";
	case ENOSPC:       return "No space left on device";
	case EROFS:        return "Read-only file system";
	case ENAMETOOLONG: return "File name too long";
	case ENOSYS:       return "Function not implemented";
	case ELOOP:        return "Too many levels of symbolic links";
	case EOVERFLOW:    return "Value too large for defined data type";
	case ESTALE:       return "Stale file handle";
	default:           return "Unknown error";
	}
}
