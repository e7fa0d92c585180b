/* Ends one dtype of ck_dtypes.h: forget its macros before the next one defines them. */
#undef CK_SFX
#undef CK_XT
#undef CK_CT
#undef CK_X_IS_U8
#undef CK_V
#undef CK_VW
#undef CK_VZERO
#undef CK_VLOADX
#undef CK_VLOADC
#undef CK_VFMA
#undef CK_VHSUM
