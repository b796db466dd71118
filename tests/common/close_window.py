"""Asks the X windows of the program argv[1] (their WM_CLASS name) to close, as a
desktop's close button does: a WM_DELETE_WINDOW message to the window itself (there is no
window manager under Xvfb to ask). Prints how many windows were asked."""
import ctypes
import ctypes.util
import sys

x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11"))
Window = ctypes.c_ulong
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XDefaultRootWindow.restype = Window
x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XQueryTree.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
                         ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint)]


class ClassHint(ctypes.Structure):
    _fields_ = [("res_name", ctypes.c_char_p), ("res_class", ctypes.c_char_p)]


x.XGetClassHint.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ClassHint)]
x.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]


class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", Window), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class Event(ctypes.Union):
    _fields_ = [("client", ClientMessage), ("pad", ctypes.c_long * 24)]


def windows(display, parent):
    root, up = Window(), Window()
    children = ctypes.POINTER(Window)()
    n = ctypes.c_uint()
    if not x.XQueryTree(display, parent, ctypes.byref(root), ctypes.byref(up), ctypes.byref(children), ctypes.byref(n)):
        return
    for i in range(n.value):
        yield children[i]
        yield from windows(display, children[i])


display = x.XOpenDisplay(None)
if not display:
    sys.exit("no X display")
protocols = x.XInternAtom(display, b"WM_PROTOCOLS", 0)
delete = x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
asked = 0
for w in windows(display, x.XDefaultRootWindow(display)):
    hint = ClassHint()
    if x.XGetClassHint(display, w, ctypes.byref(hint)) and hint.res_name == sys.argv[1].encode():
        e = Event()
        e.client.type = 33  # ClientMessage
        e.client.window = w
        e.client.message_type = protocols
        e.client.format = 32
        e.client.data[0] = delete
        e.client.data[1] = 0  # CurrentTime
        x.XSendEvent(display, w, 0, 0, ctypes.byref(e))
        asked += 1
x.XFlush(display)
print(asked)
