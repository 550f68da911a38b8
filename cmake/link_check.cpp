// Linked with one layer's whole archive and the layers below it: the link
// fails when the layer calls into a layer above it (CMakeLists.txt).
int main() {
    return 0;
}
